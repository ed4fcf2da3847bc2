// consentForApply: the signing keys' roles decide, denials are audited and split from the
// runs that may go ahead.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ContractChange } from "../../reconcilers/plan/contract-change.js";
import { aliceAndBob, contractRun } from "../../tests/kit/contract-change.js";
import { auditPath } from "../audit/append.js";
import { verifyAuditText } from "../audit/verify.js";
import { consentForApply } from "./apply.js";

const NOW = new Date("2030-01-01T00:00:00Z");
const { alice, bob, keyring } = aliceAndBob();
const change = (name: string, over: Partial<ContractChange>): ContractChange =>
  contractRun({
    name,
    project: undefined,
    instance: undefined,
    hash: `sha256:${"b".repeat(64)}`,
    ...over,
  });

describe("consentForApply", () => {
  it("bob (contract, operator) may run operator actions, not admin ones; the denial is audited", () => {
    const root = mkdtempSync(join(tmpdir(), "plumb-consent-apply-"));
    const r = consentForApply({
      root,
      keyring,
      signers: [bob.publicKey],
      changes: [
        change("pkg", { roles: ["operator"], consent: "NOTICE" }),
        change("fw", { roles: ["admin"] }),
        change("same", { action: "none", roles: ["admin"] }),
      ],
      yes: true,
      interactive: false,
      approvals: { approvers: 0 },
      now: NOW,
      run: "r-9",
      digest: "sha256:d",
    });
    expect(r.allowed.map((c) => c.name)).toEqual(["pkg"]);
    expect(r.denied.map((d) => [d.change.name, d.code])).toEqual([["fw", "PLB971"]]);
    expect(r.notices).toHaveLength(1);
    const log = verifyAuditText(readFileSync(auditPath(root), "utf8"));
    expect(log.entries.map((e) => [e.type, e.payload.contract, e.payload.run])).toEqual([
      ["contract.denied", "fw", "r-9"],
    ]);
    // alice holds every role: nothing denied, nothing audited.
    const root2 = mkdtempSync(join(tmpdir(), "plumb-consent-apply-"));
    const a = consentForApply({
      root: root2,
      keyring,
      signers: [alice.publicKey],
      changes: [change("fw", { roles: ["admin"] })],
      yes: false,
      interactive: false,
      approvals: { approvers: 0 },
      now: NOW,
    });
    expect(a.allowed).toHaveLength(1);
    expect(a.denied).toEqual([]);
  });
});
