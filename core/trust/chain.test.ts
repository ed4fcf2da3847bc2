// The keyring chain: rotations N -> N+1 signed by the old and the new keyring role, pins from
// a previous run or CI, rollback and rewritten history refused.
import { describe, expect, it } from "vitest";
import { PlumbError } from "../errors.js";
import { generateEd25519Key, type OpensshPrivateKey } from "../signing/openssh-private-key.js";
import { keySigner } from "../signing/signer.js";
import { signSshsig } from "../signing/sshsig.js";
import { type KeyringVersionFiles, parsePin, sha256Hex, verifyChain } from "./chain.js";
import {
  type Keyring,
  keyringBytes,
  namespaceFor,
  newKeyring,
  revokeKey,
  trustKey,
} from "./keyring.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const enc = new TextEncoder();
const [a, b, m] = [generateEd25519Key("a"), generateEd25519Key("b"), generateEd25519Key("m")] as [
  OpensshPrivateKey,
  OpensshPrivateKey,
  OpensshPrivateKey,
];

async function files(k: Keyring, by: OpensshPrivateKey[], source = `v${k.version}`) {
  const bytes = keyringBytes(k);
  const signatures = await Promise.all(
    by.map(async (key, i) => ({
      name: `${i}.sig`,
      bytes: enc.encode(await signSshsig(bytes, namespaceFor("keyring", k.org), keySigner(key))),
    })),
  );
  return { source, bytes, signatures } satisfies KeyringVersionFiles;
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof PlumbError) return e.code;
    throw e;
  }
  return "ok";
}

const v1 = newKeyring("acme", a.publicKey, "alice", "2027-01-01T00:00:00Z");
const v2 = { ...trustKey(v1, b.publicKey, "bob", ["keyring", "contract"]), version: 2 };
// v3 rotates alice out: signed by bob (in v2 and v3).
const v3 = { ...revokeKey(v2, a.publicKey), version: 3 };

describe("keyring chain", () => {
  it("walks v1 -> v2 -> v3 and reports each link", async () => {
    const h = [await files(v1, [a]), await files(v2, [a])];
    const cur = await files(v3, [b]);
    const c = verifyChain(h, cur, NOW);
    expect(c.keyring.version).toBe(3);
    expect(c.links.map((l) => [l.version, l.kind])).toEqual([
      [1, "root"],
      [2, "rotation"],
      [3, "rotation"],
    ]);
    expect(c.root.from).toBe("first use (no pin)");
  });

  it("takeover: same version re-signed by a foreign key is refused (PLB873), history or not", async () => {
    const h = [await files(v1, [a])];
    const forged = { ...trustKey(v1, m.publicKey, "mallory", ["keyring", "contract"]), version: 2 };
    const cur = await files(forged, [m]);
    expect(codeOf(() => verifyChain(h, cur, NOW))).toBe("PLB873");
    // With the history deleted too, the machine's record of v2 refuses the forged v2.
    const real2 = await files(v2, [a]);
    const seen = parsePin(`2:${sha256Hex(real2.bytes)}`, "seen");
    expect(codeOf(() => verifyChain([], cur, NOW, [seen]))).toBe("PLB845");
    expect(codeOf(() => verifyChain([h[0] as KeyringVersionFiles], cur, NOW, [seen]))).toBe(
      "PLB845",
    );
  });

  it("a version skipped, a history gap, two different copies of one version: PLB843", async () => {
    const h1 = await files(v1, [a]);
    const cur = await files(v3, [b]);
    expect(codeOf(() => verifyChain([h1], cur, NOW))).toBe("PLB843");
    const otherV1 = await files({ ...v1, expires: "2026-12-01T00:00:00Z" }, [a], "other");
    const f2 = await files(v2, [a]);
    expect(codeOf(() => verifyChain([h1, otherV1], f2, NOW))).toBe("PLB843");
    // Without a pin the chain must start at v1.
    expect(codeOf(() => verifyChain([], f2, NOW))).toBe("PLB843");
  });

  it("pins: rollback below a trusted version (PLB844), rewritten history (PLB845), missing pinned version (PLB846)", async () => {
    const h = [await files(v1, [a]), await files(v2, [a])];
    const cur = await files(v3, [b]);
    const pin3 = parsePin(`3:${sha256Hex(cur.bytes)}`, "seen");
    expect(verifyChain(h, cur, NOW, [pin3]).root.version).toBe(3);
    // Rollback: the repository holds v2 again.
    expect(
      codeOf(() =>
        verifyChain([h[0] as KeyringVersionFiles], h[1] as KeyringVersionFiles, NOW, [pin3]),
      ),
    ).toBe("PLB844");
    // Rewritten history: a v3 with other bytes.
    const other3 = await files({ ...v3, expires: "2026-12-31T00:00:00Z" }, [b]);
    expect(codeOf(() => verifyChain(h, other3, NOW, [pin3]))).toBe("PLB845");
    // Pin to v2 with the v1 file removed: still fine (the chain starts at the pin).
    const pin2 = parsePin(`v2:${sha256Hex((h[1] as KeyringVersionFiles).bytes)}`, "ci");
    expect(verifyChain([h[1] as KeyringVersionFiles], cur, NOW, [pin2]).links).toHaveLength(2);
    expect(codeOf(() => verifyChain([], cur, NOW, [pin2]))).toBe("PLB846");
    expect(codeOf(() => parsePin("2:abc", "ci"))).toBe("PLB846");
  });

  it("the final version must be unexpired, intermediate ones need not be", async () => {
    const old1 = { ...v1, expires: "2026-02-01T00:00:00Z" };
    const old2 = { ...trustKey(old1, b.publicKey, "bob", ["keyring"]), version: 2 };
    const h = [await files(old1, [a])];
    const stale = await files(old2, [a]);
    expect(codeOf(() => verifyChain(h, stale, NOW))).toBe("PLB872");
    const fresh2 = await files({ ...old2, expires: "2027-01-01T00:00:00Z" }, [a]);
    expect(verifyChain(h, fresh2, NOW).keyring.version).toBe(2);
  });
});
