import { generateKeyPairSync } from "node:crypto";
import { statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlumbError } from "../errors.js";
import { KeyError } from "./errors.js";
import { generateKeyPairFiles, readPrivateKeyFile, readPublicKeyFile } from "./key-files.js";
import {
  formatOpensshPrivateKey,
  generateEd25519Key,
  parseOpensshPrivateKey,
} from "./openssh-private-key.js";
import { formatPublicKey, parsePublicKey } from "./public-key.js";
import { keySigner } from "./signer.js";
import { signSshsig, verifySshsig } from "./sshsig.js";
import { run, type Sandbox, sandbox, sshKeygenKey, sshKeygenSign } from "./test-kit.js";

let box: Sandbox;
beforeAll(() => {
  box = sandbox();
});
afterAll(() => box.remove());

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PlumbError);
    return (e as PlumbError).code;
  }
  throw new Error("expected an error");
}

describe("OpenSSH private keys", () => {
  it("reads a key made by ssh-keygen -t ed25519 -N ''", () => {
    // Arrange
    const path = sshKeygenKey(box, "k1", "ops@example.org");
    // Act
    const key = readPrivateKeyFile(path);
    // Assert
    expect(key.comment).toBe("ops@example.org");
    expect(formatPublicKey(key.publicKey)).toBe(box.read("k1.pub").toString().trimEnd());
  });

  it("writes ssh-keygen's exact bytes when given the same check word", () => {
    const path = sshKeygenKey(box, "k2", "bytes@example.org");
    const original = box.read("k2").toString();
    const blob = Buffer.from(original.split("\n").slice(1, -2).join(""), "base64");
    // The check word sits right after the public key inside the private section.
    const sectionStart = blob.indexOf(Buffer.from("ssh-ed25519"), 60) - 4 - 8;
    const checkInt = blob.readUInt32BE(sectionStart);
    expect(formatOpensshPrivateKey(readPrivateKeyFile(path), { checkInt })).toBe(original);
  });

  it("generates key files that ssh-keygen -y and -Y sign accept", () => {
    // Act
    const written = generateKeyPairFiles(box.path("ours"), "plumb@example.org");
    // Assert: permissions as ssh-keygen expects, public key derived identically
    expect(statSync(written.privatePath).mode & 0o777).toBe(0o600);
    expect(statSync(written.publicPath).mode & 0o777).toBe(0o644);
    const y = run(box, "ssh-keygen", ["-y", "-f", written.privatePath]);
    expect(y.status).toBe(0);
    const pub = box.read("ours.pub").toString();
    expect(y.stdout.trim()).toBe(pub.trim());
    expect(readPublicKeyFile(written.publicPath).comment).toBe("plumb@example.org");
    // and ssh-keygen can sign with it; our verifier accepts that signature
    const msg = new TextEncoder().encode("hello from ssh-keygen\n");
    const sig = sshKeygenSign(box, written.privatePath, "test@plumb", msg);
    expect(verifySshsig(sig, msg, "test@plumb", parsePublicKey(pub)).fingerprint).toMatch(
      /^SHA256:/,
    );
  });

  it("round-trips parse(format(generate())) with the same signing key", async () => {
    const key = generateEd25519Key("rt");
    const again = parseOpensshPrivateKey(formatOpensshPrivateKey(key));
    const msg = new Uint8Array([1, 2, 3]);
    const sig = await signSshsig(msg, "rt@plumb", keySigner(again));
    expect(() => verifySshsig(sig, msg, "rt@plumb", key.publicKey)).not.toThrow();
  });

  it("never overwrites an existing key", () => {
    generateKeyPairFiles(box.path("once"), "x");
    const before = box.read("once").toString();
    expect(codeOf(() => generateKeyPairFiles(box.path("once"), "y"))).toBe("PLB900");
    expect(box.read("once").toString()).toBe(before);
  });

  it("refuses an encrypted key with PLB804 and points at ssh-agent", () => {
    const r = run(box, "ssh-keygen", ["-q", "-t", "ed25519", "-N", "secret pass", "-f", "enc"]);
    expect(r.status).toBe(0);
    let err: unknown;
    try {
      readPrivateKeyFile(box.path("enc"));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KeyError);
    expect((err as KeyError).code).toBe("PLB804");
    expect((err as KeyError).hint).toContain("ssh-agent");
  });

  it("refuses an RSA key file with PLB802", () => {
    run(box, "ssh-keygen", ["-q", "-t", "rsa", "-b", "1024", "-N", "", "-f", "rsa"]);
    expect(codeOf(() => readPrivateKeyFile(box.path("rsa")))).toBe("PLB802");
  });

  it("refuses PEM/PKCS#8 files and damaged files with PLB803", () => {
    // ssh-keygen 9.2 ignores `-m PKCS8` for Ed25519, so node writes the PKCS#8 file here.
    const pem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" });
    expect(codeOf(() => parseOpensshPrivateKey(pem.toString()))).toBe("PLB803");
    const good = box.read("k1").toString();
    expect(codeOf(() => parseOpensshPrivateKey(good.replace("-----END", "-----FIN")))).toBe(
      "PLB803",
    );
    const lines = good.split("\n");
    const cut = [...lines.slice(0, 3), ...lines.slice(-2)].join("\n");
    expect(codeOf(() => parseOpensshPrivateKey(cut))).toBe("PLB803");
  });

  it("refuses a file whose public key copies disagree", () => {
    const a = generateEd25519Key("a");
    const b = generateEd25519Key("b");
    // b's secret with a's public key in the header: a classic key-confusion file
    const mixed = formatOpensshPrivateKey({ ...b, publicKey: a.publicKey });
    expect(codeOf(() => parseOpensshPrivateKey(mixed))).toBe("PLB803");
  });
});
