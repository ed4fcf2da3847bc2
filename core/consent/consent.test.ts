import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ContractChange } from "../../reconcilers/plan/contract-change.js";
import { contractRun } from "../../tests/kit/contract-change.js";
import { type ConsentInput, checkContractConsent, normalizeApprovals } from "./consent.js";

const change = contractRun;

const base = (over: Partial<ConsentInput> = {}): ConsentInput => ({
  changes: [change()],
  signerRoles: new Set(["contract", "operator"]),
  yes: false,
  interactive: false,
  approvals: { approvers: 0 },
  ...over,
});

describe("checkContractConsent", () => {
  it("NONE: runs silently", () => {
    expect(checkContractConsent(base())).toEqual({ notices: [], confirmations: [], denials: [] });
  });

  it("NOTICE: one notice line, no confirmation", () => {
    const r = checkContractConsent(base({ changes: [change({ consent: "NOTICE" })] }));
    expect(r.notices).toHaveLength(1);
    expect(r.notices[0]).toContain("web-1: contract motd (motd@1.0.0)");
    expect(r.confirmations).toEqual([]);
    expect(r.denials).toEqual([]);
  });

  it("CONFIRM: listed for the prompt when interactive, confirmed by --yes, denied otherwise", () => {
    const changes = [change({ consent: "CONFIRM", risk: "medium" })];
    const prompt = checkContractConsent(base({ changes, interactive: true }));
    expect(prompt.confirmations).toHaveLength(1);
    expect(prompt.denials).toEqual([]);
    const yes = checkContractConsent(base({ changes, yes: true }));
    expect(yes.confirmations).toHaveLength(1);
    expect(yes.denials).toEqual([]);
    const none = checkContractConsent(base({ changes }));
    expect(none.confirmations).toEqual([]);
    expect(none.denials.map((d) => d.code)).toEqual(["PLB972"]);
  });

  it("ELEVATED_CONFIRM and HIGH risk need the approvals threshold, never below 1; --yes does not replace it", () => {
    for (const c of [
      change({ consent: "ELEVATED_CONFIRM" }),
      change({ risk: "high", consent: "NOTICE" }),
    ]) {
      const denied = checkContractConsent(base({ changes: [c], yes: true }));
      expect(denied.denials.map((d) => d.code)).toEqual(["PLB973"]);
      // A policy of 0 still needs one approval.
      const zero = checkContractConsent(
        base({ changes: [c], yes: true, approvals: { approvers: 0, highRiskRequired: 0 } }),
      );
      expect(zero.denials.map((d) => d.code)).toEqual(["PLB973"]);
      const two = base({
        changes: [c],
        yes: true,
        approvals: { approvers: 1, highRiskRequired: 2 },
      });
      expect(checkContractConsent(two).denials.map((d) => d.code)).toEqual(["PLB973"]);
      const ok = checkContractConsent(
        base({ changes: [c], yes: true, approvals: { approvers: 2, highRiskRequired: 2 } }),
      );
      expect(ok.denials).toEqual([]);
      expect(ok.confirmations).toHaveLength(1);
      // Approved but neither --yes nor a terminal: still a confirmation to give.
      const noTty = checkContractConsent(
        base({ changes: [c], approvals: { approvers: 2, highRiskRequired: 2 } }),
      );
      expect(noTty.denials.map((d) => d.code)).toEqual(["PLB972"]);
    }
  });

  it("a missing role is a denial, whatever the consent; several problems are named in one denial", () => {
    const r = checkContractConsent(
      base({
        changes: [change({ roles: ["operator", "admin"], consent: "ELEVATED_CONFIRM" })],
        yes: false,
        interactive: false,
      }),
    );
    expect(r.denials).toHaveLength(1);
    expect(r.denials[0]).toMatchObject({ machine: "web-1", contract: "motd", code: "PLB971" });
    expect(r.denials[0]?.reason).toContain("admin");
    expect(r.denials[0]?.reason).toContain("[PLB973]");
    expect(r.denials[0]?.reason).toContain("[PLB972]");
    const held = checkContractConsent(
      base({ changes: [change({ roles: ["operator"] })], signerRoles: new Set(["operator"]) }),
    );
    expect(held.denials).toEqual([]);
  });

  it("runs with action none are not judged", () => {
    const r = checkContractConsent(
      base({ changes: [change({ action: "none", roles: ["admin"], risk: "high" })] }),
    );
    expect(r).toEqual({ notices: [], confirmations: [], denials: [] });
  });

  it("unknown consent or risk values count as the highest (fail closed)", () => {
    const odd = change({
      consent: "WHATEVER" as ContractChange["consent"],
      risk: "??" as ContractChange["risk"],
    });
    expect(checkContractConsent(base({ changes: [odd], yes: true })).denials[0]?.code).toBe(
      "PLB973",
    );
  });

  it("reads the plan's approvals check (approvalState) as well as plain numbers", () => {
    expect(
      normalizeApprovals({
        requirements: { reasons: [{ risk: "high-risk-contract", needs: 3 }] },
        counted: { approvers: [{}, {}] },
      }),
    ).toEqual({ approvers: 2, required: 3 });
    expect(
      normalizeApprovals({ requirements: { reasons: [] }, counted: { approvers: [] } }),
    ).toEqual({ approvers: 0, required: 1 });
    expect(normalizeApprovals({ approvers: Number.NaN })).toEqual({ approvers: 0, required: 1 });
  });
});

describe("consent properties", () => {
  const arbChange = fc.record({
    risk: fc.constantFrom("low", "medium", "high", "x"),
    consent: fc.constantFrom("NONE", "NOTICE", "CONFIRM", "ELEVATED_CONFIRM", "y"),
    roles: fc.subarray(["operator", "support", "admin", "approver"]),
    action: fc.constantFrom("run", "none"),
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/),
  });
  const arbInput = fc.record({
    changes: fc.array(arbChange, { maxLength: 6 }),
    signerRoles: fc.subarray(["contract", "operator", "support", "admin", "approver"]),
    yes: fc.boolean(),
    interactive: fc.boolean(),
    approvers: fc.integer({ min: -2, max: 5 }),
    highRiskRequired: fc.option(fc.integer({ min: -2, max: 5 }), { nil: undefined }),
  });

  it("no HIGH/ELEVATED run passes without the approvals threshold (≥ 1), no run passes without its roles, no CONFIRM without --yes or a terminal", () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const changes = i.changes.map((c, n) =>
          change({ ...c, name: `${c.name}${n}` } as Partial<ContractChange>),
        );
        const r = checkContractConsent({
          changes,
          signerRoles: new Set(i.signerRoles),
          yes: i.yes,
          interactive: i.interactive,
          approvals: {
            approvers: i.approvers,
            ...(i.highRiskRequired !== undefined ? { highRiskRequired: i.highRiskRequired } : {}),
          },
        });
        const denied = new Set(r.denials.map((d) => d.contract));
        const required = Math.max(1, i.highRiskRequired ?? 1);
        for (const c of changes) {
          if (c.action !== "run") {
            expect(denied.has(c.name)).toBe(false);
            continue;
          }
          const elevated =
            c.consent === "ELEVATED_CONFIRM" ||
            !["NONE", "NOTICE", "CONFIRM"].includes(c.consent) ||
            (c.risk !== "low" && c.risk !== "medium");
          const passes = !denied.has(c.name);
          if (elevated && i.approvers < required) expect(passes).toBe(false);
          if (c.roles.some((x) => !i.signerRoles.includes(x))) expect(passes).toBe(false);
          if ((elevated || c.consent === "CONFIRM") && !i.yes && !i.interactive)
            expect(passes).toBe(false);
          // Every run is accounted for exactly once: denied, confirmed, noticed or silent.
          const listed =
            Number(denied.has(c.name)) +
            r.confirmations.filter((x) => x.includes(`contract ${c.name} `)).length +
            r.notices.filter((x) => x.includes(`contract ${c.name} `)).length;
          expect(listed).toBeLessThanOrEqual(1);
        }
        expect(r.denials.every((d) => ["PLB971", "PLB972", "PLB973"].includes(d.code))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
