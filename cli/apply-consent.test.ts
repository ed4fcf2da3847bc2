// Apply's consent gate: notices and confirmations printed; a denial refuses with its code, is
// audited (contract.denied) and recorded FAILED in the machine's journal — before any change.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditPath } from "../core/audit/append.js";
import { verifyAuditText } from "../core/audit/verify.js";
import { PlumbError } from "../core/errors.js";
import { captureOutput } from "../core/output/output.js";
import { keySigner } from "../core/signing/signer.js";
import { readJournal } from "../reconcilers/delivery/journal.js";
import type { ContractChange } from "../reconcilers/plan/contract-change.js";
import { aliceAndBob, contractRun } from "../tests/kit/contract-change.js";
import { enforceContractConsent } from "./apply-consent.js";
import type { CommandContext } from "./spec.js";

const { alice, bob, keyring } = aliceAndBob();
const run = (name: string, over: Partial<ContractChange>): ContractChange =>
  contractRun({
    name,
    project: undefined,
    instance: undefined,
    hash: `sha256:${"c".repeat(64)}`,
    ...over,
  });

function setup() {
  const root = mkdtempSync(join(tmpdir(), "plumb-apply-consent-"));
  const output = captureOutput();
  const ctx = {
    output,
    globals: {},
    cwd: root,
    env: {},
    repoRoot: () => root,
  } as unknown as CommandContext;
  return { root, output, ctx };
}

describe("enforceContractConsent", () => {
  it("prints notices and confirmations (confirmed by --yes) and lets allowed runs through", () => {
    const t = setup();
    enforceContractConsent(
      t.ctx,
      { yes: true },
      {
        root: t.root,
        digest: "sha256:d",
        runs: [
          run("motd", { consent: "NOTICE", roles: ["operator"] }),
          run("restart", { consent: "CONFIRM", risk: "medium", roles: ["operator"] }),
        ],
        keyring,
        signers: [keySigner(bob)],
        approvals: undefined,
      },
    );
    expect(t.output.stderr.join("\n")).toContain("notice  web-1: contract motd");
    expect(t.output.stderr.join("\n")).toContain(
      "confirm web-1: contract restart (restart@1.0.0) — risk medium, consent CONFIRM, roles operator (confirmed by --yes)",
    );
  });

  it("a role the signing keys lack, or HIGH risk without approvals: refused, audited and journaled FAILED", () => {
    const t = setup();
    let err: unknown;
    try {
      enforceContractConsent(
        t.ctx,
        { yes: true },
        {
          root: t.root,
          digest: "sha256:d",
          runs: [run("fw", { roles: ["admin"] }), run("kernel", { risk: "high" })],
          keyring,
          signers: [keySigner(bob)],
          approvals: { requirements: { reasons: [] }, counted: { approvers: [] } },
        },
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlumbError);
    expect((err as PlumbError).code).toBe("PLB971");
    expect((err as PlumbError).message).toContain("web-1/kernel [PLB973]");
    const log = verifyAuditText(readFileSync(auditPath(t.root), "utf8"));
    expect(log.entries.map((e) => [e.type, e.payload.code])).toEqual([
      ["contract.denied", "PLB971"],
      ["contract.denied", "PLB973"],
    ]);
    expect(readJournal(t.root, "web-1").map((r) => [r.contract, r.status, r.code])).toEqual([
      ["fw", "FAILED", "PLB971"],
      ["kernel", "FAILED", "PLB973"],
    ]);
  });

  it("an approved HIGH-risk run passes with --yes", () => {
    const t = setup();
    expect(() =>
      enforceContractConsent(
        t.ctx,
        { yes: true },
        {
          root: t.root,
          digest: "sha256:d",
          runs: [run("kernel", { risk: "high" })],
          keyring,
          signers: [keySigner(alice)],
          approvals: {
            requirements: { reasons: [{ risk: "high-risk-contract", needs: 1 }] },
            counted: { approvers: [{ id: "x" }] },
          },
        },
      ),
    ).not.toThrow();
  });
});
