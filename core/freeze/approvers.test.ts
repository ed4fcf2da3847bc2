// Freeze-override approvers: distinct approver-role keys whose signature over the plan digest
// verifies; a key signing twice counts once, another digest or a key without the role not at all.
import { describe, expect, it } from "vitest";
import { generateEd25519Key } from "../signing/openssh-private-key.js";
import { fingerprint } from "../signing/public-key.js";
import { keySigner } from "../signing/signer.js";
import { signApproval } from "../trust/approvals.js";
import { newKeyring, trustKey } from "../trust/keyring.js";
import { planApprovers } from "./approvers.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const [a, b, c] = [generateEd25519Key("a"), generateEd25519Key("b"), generateEd25519Key("c")];
const k = trustKey(
  trustKey(newKeyring("acme", a.publicKey, "alice", "2027-01-01T00:00:00Z"), b.publicKey, "bob", [
    "approver",
  ]),
  c.publicKey,
  "carol",
  ["contract"],
);
const DIGEST = "sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
const approval = async (key: typeof a, digest = DIGEST) => ({
  signature: await signApproval(k, digest, keySigner(key)),
});
const count = (approvals: unknown[]) =>
  planApprovers(
    "/nonexistent",
    {},
    JSON.stringify({ digest: DIGEST, approvals }),
    DIGEST,
    NOW,
    () => k,
  );

describe("planApprovers", () => {
  it("counts distinct approver keys over the plan digest only", async () => {
    const roleHolders = k.roles.approver?.keys ?? [];
    const ab = [await approval(a), await approval(b)].length;
    expect(ab).toBe(2);
    const both = count([await approval(a), await approval(b)]);
    expect(both.length).toBe(
      roleHolders.filter((f) => [a, b].some((x) => fingerprint(x.publicKey) === f)).length,
    );
    expect(count([await approval(b), await approval(b)])).toEqual([fingerprint(b.publicKey)]);
    expect(count([await approval(b, "sha256:other")])).toEqual([]);
    expect(count([await approval(c)])).toEqual([]);
    expect(count([{ signature: "garbage" }, { nope: 1 }])).toEqual([]);
    expect(planApprovers("/nonexistent", {}, undefined, DIGEST, NOW, () => k)).toEqual([]);
  });
});
