// Approvals over a digest: distinct approver keys up to the threshold, every file valid.
import { describe, expect, it } from "vitest";
import { PlumbError } from "../errors.js";
import { generateEd25519Key } from "../signing/openssh-private-key.js";
import { keySigner } from "../signing/signer.js";
import { signApproval, verifyApprovals } from "./approvals.js";
import { newKeyring, setThreshold, trustKey } from "./keyring.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const [a, b, c] = [generateEd25519Key("a"), generateEd25519Key("b"), generateEd25519Key("c")];
const enc = new TextEncoder();
const k = setThreshold(
  trustKey(newKeyring("acme", a.publicKey, "alice", "2027-01-01T00:00:00Z"), b.publicKey, "bob", [
    "approver",
  ]),
  "approver",
  2,
);
const DIGEST = "sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
const sig = async (key: typeof a, digest = DIGEST, name = "x.sig") => ({
  name,
  bytes: enc.encode(await signApproval(k, digest, keySigner(key))),
});
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof PlumbError) return e.code;
    throw e;
  }
  return "ok";
};

describe("verifyApprovals", () => {
  it("accepts two distinct approvers over the exact digest", async () => {
    const r = verifyApprovals(
      k,
      DIGEST,
      [await sig(a, DIGEST, "a"), await sig(b, DIGEST, "b")],
      NOW,
    );
    expect(r.signers.map((s) => s.principal).sort()).toEqual(["alice", "bob"]);
  });
  it("refuses one approver twice, another digest, a non-approver, a removed trailing newline", async () => {
    expect(codeOf(() => verifyApprovals(k, DIGEST, [], NOW))).toBe("PLB842");
    const a1 = await sig(a, DIGEST, "1");
    expect(codeOf(() => verifyApprovals(k, DIGEST, [a1, { ...a1, name: "2" }], NOW))).toBe(
      "PLB842",
    );
    const other = await sig(b, `${DIGEST.slice(0, -1)}1`);
    expect(codeOf(() => verifyApprovals(k, DIGEST, [a1, other], NOW))).toBe("PLB819");
    const stranger = await sig(c);
    expect(codeOf(() => verifyApprovals(k, DIGEST, [a1, stranger], NOW))).toBe("PLB874");
    const b1 = await sig(b);
    const nl = { name: "nl", bytes: b1.bytes.subarray(0, -1) };
    expect(codeOf(() => verifyApprovals(k, DIGEST, [a1, nl], NOW))).toBe("PLB847");
  });
  it("refuses a keyring without approver keys", async () => {
    const { approver: _, ...roles } = k.roles;
    expect(codeOf(() => verifyApprovals({ ...k, roles }, DIGEST, [], NOW))).toBe("PLB842");
  });
});
