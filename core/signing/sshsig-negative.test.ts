// Differential negative vectors (the vector table of docs/signing.md): each corrupted signature is
// refused by our verifier with its specific code, and ssh-keygen -Y verify gives its verdict on
// the very same bytes. The few places where ssh-keygen accepts what we refuse are listed as
// such (`keygen: "accepts"`), so a change in either verifier shows up here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignatureError } from "./errors.js";
import { readPrivateKeyFile } from "./key-files.js";
import type { OpensshPrivateKey } from "./openssh-private-key.js";
import { formatPublicKey } from "./public-key.js";
import { keySigner } from "./signer.js";
import { armorSshsig, dearmorSshsig, signSshsig, verifySshsig } from "./sshsig.js";
import { MESSAGE, NS, setVectorContext, VECTORS, type Vector } from "./sshsig-vectors.js";
import {
  run,
  type Sandbox,
  sandbox,
  sshKeygenKey,
  sshKeygenSign,
  sshKeygenVerify,
} from "./test-kit.js";

const PRINCIPAL = "alice@plumb.test";

let box: Sandbox;
let alice: OpensshPrivateKey;
let allowed: string;
let good: string;
let goodBlob: Uint8Array;

beforeAll(async () => {
  box = sandbox();
  alice = readPrivateKeyFile(sshKeygenKey(box, "alice", PRINCIPAL));
  sshKeygenKey(box, "bob");
  allowed = `${PRINCIPAL} ${formatPublicKey(alice.publicKey)}\n`;
  good = await signSshsig(MESSAGE, NS, keySigner(alice));
  goodBlob = dearmorSshsig(good);
  run(box, "ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", "rsa"]);
  run(box, "ssh-keygen", ["-q", "-t", "ecdsa", "-N", "", "-f", "ecdsa"]);
  setVectorContext({
    good,
    goodBlob,
    bobSig: sshKeygenSign(box, box.path("bob"), NS, MESSAGE),
    rsaSig: sshKeygenSign(box, box.path("rsa"), NS, MESSAGE),
    ecdsaSig: sshKeygenSign(box, box.path("ecdsa"), NS, MESSAGE),
  });
});
afterAll(() => box.remove());

function ours(v: Vector): SignatureError | "accepted" {
  try {
    verifySshsig(v.signature(), v.message ?? MESSAGE, v.namespace ?? NS, alice.publicKey);
    return "accepted";
  } catch (e) {
    if (e instanceof SignatureError) return e;
    throw e;
  }
}

function keygen(v: Vector) {
  return sshKeygenVerify(box, {
    allowedSigners: allowed,
    principal: PRINCIPAL,
    namespace: v.namespace ?? NS,
    signature: v.signature(),
    message: v.message ?? MESSAGE,
  });
}

describe("differential negative vectors: our verifier vs ssh-keygen -Y verify", () => {
  it("control: the untouched signature is accepted by both", () => {
    expect(() => verifySshsig(good, MESSAGE, NS, alice.publicKey)).not.toThrow();
    expect(keygen({ name: "ok", signature: () => good, code: "", keygen: "accepts" }).status).toBe(
      0,
    );
  });

  it.each(VECTORS.map((v) => [v.name, v] as const))("%s", (_name, v) => {
    // Act
    const mine = ours(v);
    const theirs = keygen(v);
    if (process.env.PLUMB_PRINT_VECTORS === "1") {
      const said = `${theirs.stdout}${theirs.stderr}`.trim().split("\n").at(-1);
      console.log(
        `| ${v.name} | ${mine === "accepted" ? mine : mine.code} | ${theirs.status}: ${said} |`,
      );
    }
    // Assert: we refuse with the specific code …
    expect(mine).toBeInstanceOf(SignatureError);
    expect((mine as SignatureError).code).toBe(v.code);
    // … and ssh-keygen gives the recorded verdict on the same bytes.
    if (v.keygen === "accepts") {
      expect(theirs.status, theirs.stderr).toBe(0);
    } else {
      expect(theirs.status, theirs.stdout).toBe(255);
      // Parse errors go to stderr, "Could not verify signature." to stdout (ssh-keygen 9.2).
      expect(`${theirs.stdout}${theirs.stderr}`).toMatch(v.keygen);
    }
  });

  it("every prefix of the blob is refused as truncated (and sampled prefixes by ssh-keygen)", () => {
    for (let n = 0; n < goodBlob.length; n++) {
      const armored = n === 0 ? "" : armorSshsig(goodBlob.subarray(0, n));
      let code = "accepted";
      try {
        verifySshsig(armored, MESSAGE, NS, alice.publicKey);
      } catch (e) {
        code = (e as SignatureError).code;
      }
      expect(code, `prefix ${n}`).toBe(n === 0 ? "PLB810" : "PLB811");
      if (n % 37 === 1) {
        const r = keygen({ name: "", signature: () => armored, code, keygen: /./ });
        expect(r.status, `ssh-keygen prefix ${n}`).toBe(255);
      }
    }
  });
});
