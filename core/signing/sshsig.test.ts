// SSHSIG interop with the real ssh-keygen, in both directions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignatureError } from "./errors.js";
import { readPrivateKeyFile } from "./key-files.js";
import type { OpensshPrivateKey } from "./openssh-private-key.js";
import { formatPublicKey } from "./public-key.js";
import { keySigner } from "./signer.js";
import { dearmorSshsig, parseSshsigBlob, signSshsig, verifySshsig } from "./sshsig.js";
import { type Sandbox, sandbox, sshKeygenKey, sshKeygenSign, sshKeygenVerify } from "./test-kit.js";

const NS = "contract-manifest-v1@plumb.test";
const PRINCIPAL = "alice@plumb.test";
const enc = (s: string) => new TextEncoder().encode(s);

let box: Sandbox;
let keyPath: string;
let key: OpensshPrivateKey;
let allowed: string;

beforeAll(() => {
  box = sandbox();
  keyPath = sshKeygenKey(box, "alice", PRINCIPAL);
  key = readPrivateKeyFile(keyPath);
  allowed = `${PRINCIPAL} ${formatPublicKey(key.publicKey)}\n`;
});
afterAll(() => box.remove());

describe("SSHSIG interop with ssh-keygen", () => {
  const messages: [string, Uint8Array][] = [
    ["text", enc("#!/bin/bash\necho hello\n")],
    ["empty message", new Uint8Array(0)],
    ["binary", Uint8Array.from({ length: 4096 }, (_, i) => (i * 131) & 0xff)],
  ];

  it.each(messages)("ssh-keygen -Y verify accepts our signature (%s)", async (_n, msg) => {
    // Act
    const sig = await signSshsig(msg, NS, keySigner(key));
    // Assert
    const r = sshKeygenVerify(box, {
      allowedSigners: allowed,
      principal: PRINCIPAL,
      namespace: NS,
      signature: sig,
      message: msg,
    });
    // ssh-keygen 9.2 prints the "Good" line on stdout (failures go to stderr).
    expect(r.stdout).toContain(`Good "${NS}" signature for ${PRINCIPAL}`);
    expect(r.status).toBe(0);
  });

  it.each(messages)("we accept ssh-keygen -Y sign's signature (%s)", (_n, msg) => {
    const sig = sshKeygenSign(box, keyPath, NS, msg);
    const ok = verifySshsig(sig, msg, NS, key.publicKey);
    expect(ok.hashAlgorithm).toBe("sha512");
    expect(ok.namespace).toBe(NS);
  });

  it.each(messages)("our signature is byte-identical to ssh-keygen's (%s)", async (_n, msg) => {
    // Ed25519 is deterministic, so identical framing gives identical files.
    expect(await signSshsig(msg, NS, keySigner(key))).toBe(sshKeygenSign(box, keyPath, NS, msg));
  });

  it("interoperates with hashalg=sha256 both ways", async () => {
    const msg = enc("sha256 please");
    const theirs = sshKeygenSign(box, keyPath, NS, msg, ["-O", "hashalg=sha256"]);
    expect(verifySshsig(theirs, msg, NS, key.publicKey).hashAlgorithm).toBe("sha256");
    const ours = await signSshsig(msg, NS, keySigner(key), { hashAlgorithm: "sha256" });
    expect(ours).toBe(theirs);
    const r = sshKeygenVerify(box, {
      allowedSigners: allowed,
      principal: PRINCIPAL,
      namespace: NS,
      signature: ours,
      message: msg,
    });
    expect(r.status).toBe(0);
  });

  it("handles non-ASCII namespaces the same way as ssh-keygen", async () => {
    const ns = "contrat-signé@plumb.test";
    const msg = enc("x");
    const sig = await signSshsig(msg, ns, keySigner(key));
    expect(sig).toBe(sshKeygenSign(box, keyPath, ns, msg));
    expect(() => verifySshsig(sig, msg, ns, key.publicKey)).not.toThrow();
  });

  it("writes the armor ssh-keygen writes: 70-column base64, LF, trailing newline", async () => {
    const sig = await signSshsig(enc("armor"), NS, keySigner(key));
    const lines = sig.split("\n");
    expect(lines[0]).toBe("-----BEGIN SSH SIGNATURE-----");
    expect(lines.at(-2)).toBe("-----END SSH SIGNATURE-----");
    expect(lines.at(-1)).toBe("");
    const body = lines.slice(1, -2);
    expect(body.slice(0, -1).every((l) => l.length === 70)).toBe(true);
    expect((body.at(-1) ?? "").length).toBeLessThanOrEqual(70);
  });

  it("reads signatures wrapped at 76 columns (PROTOCOL.sshsig) as ssh-keygen does", async () => {
    const msg = enc("76 columns");
    const sig = await signSshsig(msg, NS, keySigner(key));
    const b64 = sig.split("\n").slice(1, -2).join("");
    const rewrapped = `-----BEGIN SSH SIGNATURE-----\n${b64.match(/.{1,76}/g)?.join("\n")}\n-----END SSH SIGNATURE-----\n`;
    expect(rewrapped).not.toBe(sig);
    expect(() => verifySshsig(rewrapped, msg, NS, key.publicKey)).not.toThrow();
    const r = sshKeygenVerify(box, {
      allowedSigners: allowed,
      principal: PRINCIPAL,
      namespace: NS,
      signature: rewrapped,
      message: msg,
    });
    expect(r.status).toBe(0);
  });

  it("decodes the blob fields", async () => {
    const sig = await signSshsig(enc("fields"), NS, keySigner(key));
    const blob = dearmorSshsig(sig);
    const parsed = parseSshsigBlob(blob);
    expect(new TextDecoder().decode(parsed.namespace)).toBe(NS);
    expect(parsed.signature.length).toBe(64);
    expect(blob.length).toBe(6 + 4 + (4 + 51) + (4 + NS.length) + 4 + (4 + 6) + (4 + 83));
  });

  it("refuses to sign with an empty or multi-line namespace (PLB821)", async () => {
    for (const ns of ["", "a\nb", "nul\0"]) {
      await expect(signSshsig(enc("m"), ns, keySigner(key))).rejects.toMatchObject({
        code: "PLB821",
        reason: "invalid-namespace",
      });
    }
  });

  it("self-verifies: a signer returning a wrong signature is caught before publishing", async () => {
    const broken = { publicKey: key.publicKey, sign: async () => new Uint8Array(64) };
    await expect(signSshsig(enc("m"), NS, broken)).rejects.toBeInstanceOf(SignatureError);
  });
});
