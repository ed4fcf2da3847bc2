// The keyring: edits, self-signature threshold, expiry and TUF-style rotation (N -> N+1 signed
// by the old keyring role as well as the new one; revocation permanent).
import { describe, expect, it } from "vitest";
import { PlumbError } from "../errors.js";
import { generateEd25519Key, type OpensshPrivateKey } from "../signing/openssh-private-key.js";
import { fingerprint } from "../signing/public-key.js";
import { keySigner } from "../signing/signer.js";
import { signSshsig } from "../signing/sshsig.js";
import {
  type Keyring,
  keyringBytes,
  namespaceFor,
  newKeyring,
  parseKeyring,
  revokeKey,
  setThreshold,
  trustKey,
} from "./keyring.js";
import { verifyKeyring } from "./verify.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const enc = new TextEncoder();
const [a, b, c] = [generateEd25519Key("a"), generateEd25519Key("b"), generateEd25519Key("c")] as [
  OpensshPrivateKey,
  OpensshPrivateKey,
  OpensshPrivateKey,
];

async function signed(k: Keyring, by: OpensshPrivateKey[]) {
  const bytes = keyringBytes(k);
  const signatures = await Promise.all(
    by.map(async (key, i) => ({
      name: `${i}.sig`,
      bytes: enc.encode(await signSshsig(bytes, namespaceFor("keyring", k.org), keySigner(key))),
    })),
  );
  return { bytes, signatures };
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof PlumbError) return e.code;
    throw e;
  }
  return undefined;
}

const v1 = newKeyring("acme", a.publicKey, "alice", "2027-01-01T00:00:00Z");

describe("keyring", () => {
  it("round-trips through canonical bytes and validates its structure", () => {
    expect(parseKeyring(keyringBytes(v1))).toEqual(v1);
    const broken = {
      ...v1,
      roles: { ...v1.roles, contract: { keys: ["SHA256:nope"], threshold: 1 } },
    };
    expect(codeOf(() => parseKeyring(keyringBytes(broken)))).toBe("PLB870");
    expect(codeOf(() => parseKeyring(enc.encode('{"b":1, "a":2}')))).toBe("PLB870");
  });

  it("every edit bumps the version; thresholds stay satisfiable", () => {
    const v2 = trustKey(v1, b.publicKey, "bob", ["contract", "keyring"]);
    expect(v2.version).toBe(2);
    expect(v2.roles.contract.keys).toContain(fingerprint(b.publicKey));
    const v3 = setThreshold(v2, "contract", 2);
    expect(v3.roles.contract.threshold).toBe(2);
    expect(codeOf(() => setThreshold(v3, "contract", 3))).toBe("PLB873");
    expect(codeOf(() => revokeKey(v3, b.publicKey))).toBe("PLB873"); // would leave 1 key for threshold 2
  });

  it("revocation is permanent: a revoked key cannot be trusted again", () => {
    const v2 = trustKey(v1, b.publicKey, "bob", ["contract"]);
    const v3 = revokeKey(v2, b.publicKey);
    expect(v3.revoked).toHaveLength(1);
    expect(codeOf(() => trustKey(v3, b.publicKey, "bob", ["contract"]))).toBe("PLB875");
  });

  it("is valid only when signed by its keyring-role threshold (PLB871) and unexpired (PLB872)", async () => {
    const ok = await signed(v1, [a]);
    expect(verifyKeyring(ok.bytes, ok.signatures, NOW).version).toBe(1);
    const byStranger = await signed(v1, [c]);
    expect(codeOf(() => verifyKeyring(byStranger.bytes, byStranger.signatures, NOW))).toBe(
      "PLB871",
    );
    expect(
      codeOf(() => verifyKeyring(ok.bytes, ok.signatures, new Date("2027-01-02T00:00:00Z"))),
    ).toBe("PLB872");
  });

  it("rotation: N+1 signed by the old and the new keyring roles is accepted", async () => {
    const prev = await signed(v1, [a]);
    const v2 = trustKey(v1, b.publicKey, "bob", ["keyring", "contract"]);
    const next = await signed(v2, [a]);
    expect(
      verifyKeyring(next.bytes, next.signatures, NOW, { keyring: v1, bytes: prev.bytes }).version,
    ).toBe(2);
  });

  it("rotation: N+2 without N+1, N+1 signed only by new keys, a lower version, an un-revocation (PLB873)", async () => {
    const prev = { keyring: v1, bytes: keyringBytes(v1) };
    const skip = { ...trustKey(v1, b.publicKey, "bob", ["keyring"]), version: 3 };
    const s1 = await signed(skip, [a]);
    expect(codeOf(() => verifyKeyring(s1.bytes, s1.signatures, NOW, prev))).toBe("PLB873");

    // v2 whose keyring role is only b, signed only by b: valid by itself, not a rotation of v1.
    const fb = fingerprint(b.publicKey);
    const takeover: Keyring = {
      ...trustKey(v1, b.publicKey, "bob", ["keyring", "contract"]),
      roles: { keyring: { keys: [fb], threshold: 1 }, contract: { keys: [fb], threshold: 1 } },
    };
    const s2 = await signed(takeover, [b]);
    expect(verifyKeyring(s2.bytes, s2.signatures, NOW).version).toBe(2);
    expect(codeOf(() => verifyKeyring(s2.bytes, s2.signatures, NOW, prev))).toBe("PLB873");

    const v2 = trustKey(v1, c.publicKey, "carol", ["contract"]);
    const v3 = revokeKey(v2, c.publicKey);
    const unrevoked: Keyring = { ...v3, version: 4, revoked: [] };
    const s3 = await signed(unrevoked, [a]);
    expect(
      codeOf(() =>
        verifyKeyring(s3.bytes, s3.signatures, NOW, { keyring: v3, bytes: keyringBytes(v3) }),
      ),
    ).toBe("PLB873");

    const lower = await signed(v1, [a]);
    expect(
      codeOf(() =>
        verifyKeyring(lower.bytes, lower.signatures, NOW, { keyring: v3, bytes: keyringBytes(v3) }),
      ),
    ).toBe("PLB873");
  });
});
