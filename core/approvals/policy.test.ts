// The stricter of two approvals policies (base branch and pull request): max per risk, host
// access forbidden where either forbids it, reviewers only when both list them.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ApprovalPolicy, parseApprovalPolicy, stricterApprovalPolicy } from "./policy.js";
import { RISK_KINDS } from "./risk.js";

const base = parseApprovalPolicy(
  "approvals:\n  required: {any: 2, delete: 1}\n  forbid_host_access: [untrusted]\n  github_reviewers: [alice, bob]\n",
);
const lowered = parseApprovalPolicy(
  "approvals:\n  required: {any: 0, host_access: 1}\n  forbid_host_access: []\n  github_reviewers: [bob, mallory]\n",
);

describe("stricterApprovalPolicy", () => {
  it("a PR lowering any: 2 to 0 still needs 2; its additions hold too; reviewers it adds do not count", () => {
    const p = stricterApprovalPolicy(lowered, base);
    expect(p.required).toEqual({ any: 2, delete: 1, "host-access": 1 });
    expect(p.forbidHostAccess).toEqual(["untrusted"]);
    expect(p.githubReviewers).toEqual(["bob"]);
    expect(stricterApprovalPolicy(base, lowered)).toEqual({
      ...p,
      githubReviewers: ["bob"],
    });
  });

  it("is never weaker than either side (property)", () => {
    const req = fc.dictionary(
      fc.constantFrom("any", ...RISK_KINDS),
      fc.integer({ min: 0, max: 5 }),
    );
    const levels = fc.subarray(["admin", "trusted", "semi-trusted", "untrusted", "disposable"]);
    const logins = fc.subarray(["alice", "bob", "carol", "dave"]);
    const policy = fc.record({ required: req, forbidHostAccess: levels, githubReviewers: logins });
    fc.assert(
      fc.property(policy, policy, (a, b) => {
        const s = stricterApprovalPolicy(a as ApprovalPolicy, b as ApprovalPolicy);
        for (const side of [a, b]) {
          for (const [k, n] of Object.entries(side.required))
            expect(s.required[k as keyof typeof s.required] ?? 0).toBeGreaterThanOrEqual(n);
          for (const l of side.forbidHostAccess) expect(s.forbidHostAccess).toContain(l);
        }
        for (const l of s.githubReviewers) {
          expect(a.githubReviewers).toContain(l);
          expect(b.githubReviewers).toContain(l);
        }
      }),
    );
  });
});
