import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyError } from "./errors.js";
import {
  fingerprint,
  formatPublicKey,
  parsePublicKey,
  parsePublicKeyBlob,
  publicKeyBlob,
  samePublicKey,
} from "./public-key.js";
import { SshWriter } from "./ssh-wire.js";
import { run, type Sandbox, sandbox, sshKeygenKey } from "./test-kit.js";

let box: Sandbox;
beforeAll(() => {
  box = sandbox();
});
afterAll(() => box.remove());

function keyError(fn: () => unknown): KeyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KeyError);
    return e as KeyError;
  }
  throw new Error("expected a KeyError");
}

describe("public keys", () => {
  it("parses ssh-keygen's .pub line, formats it back byte for byte, and fingerprints like -lf", () => {
    // Arrange
    const priv = sshKeygenKey(box, "fp", "alice@example.org");
    const line = box.read("fp.pub").toString().trimEnd();
    // Act
    const pk = parsePublicKey(line);
    // Assert
    expect(pk.comment).toBe("alice@example.org");
    expect(formatPublicKey(pk)).toBe(line);
    const lf = run(box, "ssh-keygen", ["-lf", `${priv}.pub`]).stdout.trim();
    expect(lf).toBe(`256 ${fingerprint(pk)} alice@example.org (ED25519)`);
  });

  it("matches ssh-keygen -lf for several fresh keys", () => {
    for (let i = 0; i < 3; i++) {
      sshKeygenKey(box, `many${i}`);
      const pk = parsePublicKey(box.read(`many${i}.pub`).toString());
      const lf = run(box, "ssh-keygen", ["-E", "sha256", "-lf", box.path(`many${i}.pub`)]).stdout;
      expect(lf.split(" ")[1]).toBe(fingerprint(pk));
      expect(fingerprint(pk)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    }
  });

  it("refuses other key types with PLB802 and a hint", () => {
    const r = run(box, "ssh-keygen", ["-q", "-t", "ecdsa", "-N", "", "-f", "ec"]);
    expect(r.status).toBe(0);
    const e = keyError(() => parsePublicKey(box.read("ec.pub").toString()));
    expect(e.code).toBe("PLB802");
    expect(e.hint).toContain("ed25519");
  });

  it("refuses a blob relabelled with another type inside", () => {
    const blob = new SshWriter().string("ssh-rsa").string(new Uint8Array(32)).bytes();
    expect(keyError(() => parsePublicKeyBlob(blob)).code).toBe("PLB802");
    const line = `ssh-ed25519 ${Buffer.from(blob).toString("base64")}`;
    expect(keyError(() => parsePublicKey(line)).code).toBe("PLB802");
  });

  it.each([
    ["no key", "ssh-ed25519"],
    ["bad base64", "ssh-ed25519 AAAA$$$"],
    ["non-canonical base64", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA"],
    ["two lines", "ssh-ed25519 AAAA\nssh-ed25519 AAAA"],
  ])("refuses %s with PLB801", (_name, line) => {
    expect(keyError(() => parsePublicKey(line)).code).toBe("PLB801");
  });

  it("refuses wrong key lengths and trailing bytes in the blob", () => {
    const short = new SshWriter().string("ssh-ed25519").string(new Uint8Array(31)).bytes();
    const trailing = new SshWriter()
      .string("ssh-ed25519")
      .string(new Uint8Array(32))
      .byte(0)
      .bytes();
    expect(keyError(() => parsePublicKeyBlob(short)).code).toBe("PLB801");
    expect(keyError(() => parsePublicKeyBlob(trailing)).code).toBe("PLB801");
    expect(keyError(() => parsePublicKeyBlob(trailing.subarray(0, 20))).code).toBe("PLB801");
  });

  it("compares keys by material, not comment", () => {
    const pk = parsePublicKey(box.read("fp.pub").toString());
    const other = parsePublicKeyBlob(publicKeyBlob(pk), "another comment");
    expect(samePublicKey(pk, other)).toBe(true);
    expect(samePublicKey(pk, parsePublicKey(box.read("many0.pub").toString()))).toBe(false);
  });
});
