// The signing keys at apply (roles, contract threshold) and the audit of denials.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requiredApprovals } from "../approvals/approvals.js";
import { EMPTY_POLICY } from "../approvals/policy.js";
import { assessRisk, contractRiskItems } from "../approvals/risk.js";
import { auditPath } from "../audit/append.js";
import { verifyAuditText } from "../audit/verify.js";
import { generateEd25519Key } from "../signing/openssh-private-key.js";
import { newKeyring, revokeKey, setThreshold, trustKey } from "../trust/keyring.js";
import { auditDenials } from "./audit.js";
import { applySigners } from "./signers.js";

const NOW = new Date("2030-01-01T00:00:00Z");
const alice = generateEd25519Key("alice");
const bob = generateEd25519Key("bob");
const carol = generateEd25519Key("carol");
const mallory = generateEd25519Key("mallory");

function keyring() {
  let k = newKeyring("acme", alice.publicKey, "alice", "2099-01-01T00:00:00Z");
  k = trustKey(k, bob.publicKey, "bob", ["contract", "support"]);
  k = trustKey(k, carol.publicKey, "carol", ["contract"], { valid_before: "2029-01-01T00:00:00Z" });
  return setThreshold(k, "contract", 2);
}

describe("applySigners", () => {
  it("the first key holds every role; a trusted key only its own; roles are the union of signers", () => {
    const k = keyring();
    expect([...applySigners(k, [alice.publicKey], NOW).roles].sort()).toEqual([
      "admin",
      "approver",
      "contract",
      "keyring",
      "operator",
      "support",
    ]);
    const b = applySigners(k, [bob.publicKey], NOW);
    expect([...b.roles].sort()).toEqual(["contract", "support"]);
    expect(b.contractSigners).toHaveLength(1);
  });

  it("unknown, revoked, expired and non-contract keys hold nothing and are rejected; one key twice counts once", () => {
    const k = keyring();
    expect(applySigners(k, [mallory.publicKey], NOW).roles.size).toBe(0);
    expect(applySigners(k, [carol.publicKey], NOW).roles.size).toBe(0); // valid_before 2029
    const revoked = revokeKey(k, bob.publicKey);
    expect(applySigners(revoked, [bob.publicKey], NOW).roles.size).toBe(0);
    // An admin key without the contract role cannot sign a bundle: its roles do not count.
    const dave = generateEd25519Key("dave");
    const withDave = trustKey(k, dave.publicKey, "dave", ["admin"]);
    const d = applySigners(withDave, [dave.publicKey, alice.publicKey, bob.publicKey], NOW);
    expect(d.rejected).toHaveLength(1);
    expect([...applySigners(withDave, [dave.publicKey, bob.publicKey], NOW).roles].sort()).toEqual([
      "contract",
      "support",
    ]);
    expect(applySigners(k, [alice.publicKey, alice.publicKey], NOW).contractSigners).toHaveLength(
      1,
    );
  });
});

describe("contract risk in the plan's approvals", () => {
  const run = (risk: string, consent: string, action = "run") => ({
    machine: "db-1",
    name: `c-${risk}-${consent}-${action}`,
    action,
    risk,
    consent,
  });

  it("HIGH risk and ELEVATED_CONFIRM runs are high-risk contracts; others and unchanged ones are not", () => {
    const items = contractRiskItems([
      run("high", "NONE"),
      run("low", "ELEVATED_CONFIRM"),
      run("medium", "CONFIRM"),
      run("high", "NONE", "none"),
      run("low", "bogus"),
    ]);
    expect(items.map((i) => i.id)).toEqual([
      "contract:db-1/c-high-NONE-run",
      "contract:db-1/c-low-ELEVATED_CONFIRM-run",
      "contract:db-1/c-low-bogus-run",
    ]);
    expect(contractRiskItems(undefined)).toEqual([]);
    expect(contractRiskItems(null)).toEqual([]);
  });

  it("assessRisk adds them; requiredApprovals needs at least 1 even when the policy says nothing or 0", () => {
    const risk = assessRisk([], [], { sharedRoots: [], trustOf: () => undefined }, [
      run("high", "NONE"),
    ]);
    expect(risk.items).toEqual([
      { id: "contract:db-1/c-high-NONE-run", risks: ["high-risk-contract"] },
    ]);
    // From plan.contracts alone (a plan whose risk predates contracts), counted once.
    const plan = { risk: { items: [] }, contracts: [run("high", "NONE")] };
    expect(requiredApprovals(plan, EMPTY_POLICY).required).toBe(1);
    expect(
      requiredApprovals(plan, { ...EMPTY_POLICY, required: { "high-risk-contract": 0 } }).required,
    ).toBe(1);
    const both = { risk, contracts: [run("high", "NONE")] };
    const r = requiredApprovals(both, { ...EMPTY_POLICY, required: { "high-risk-contract": 2 } });
    expect(r.required).toBe(2);
    expect(r.reasons[0]?.ids).toEqual(["contract:db-1/c-high-NONE-run"]);
    expect(requiredApprovals({ risk: { items: [] } }, EMPTY_POLICY).required).toBe(0);
  });
});

describe("auditDenials", () => {
  it("appends one contract.denied P1 entry per denial, with code and reason, chained", () => {
    const root = mkdtempSync(join(tmpdir(), "plumb-consent-audit-"));
    auditDenials(
      root,
      [
        { machine: "web-1", contract: "motd", code: "PLB971", reason: "needs admin" },
        { machine: "db-1", contract: "pkg", code: "PLB973", reason: "needs 1 approval" },
      ],
      { run: "r-1", digest: "sha256:abc" },
    );
    const v = verifyAuditText(readFileSync(auditPath(root), "utf8"));
    expect(v.ok).toBe(true);
    expect(v.entries.map((e) => [e.type, e.priority, e.payload.code, e.payload.machine])).toEqual([
      ["contract.denied", "P1", "PLB971", "web-1"],
      ["contract.denied", "P1", "PLB973", "db-1"],
    ]);
    expect(v.entries[0]?.payload).toMatchObject({ run: "r-1", digest: "sha256:abc" });
  });
});
