// Consent for contract runs at apply (issue 12 item 2, docs/contracts.md "Consent and roles"):
// what each planned run needs before anything is delivered. NOTICE → a line printed;
// CONFIRM → `--yes` or apply's prompt listing it; ELEVATED_CONFIRM or HIGH risk → the plan's
// approvals threshold for high-risk contracts (never below 1) and a confirmation; every role the
// contract's actions require must be held by the signing keys. Pure; fail closed: an unknown
// consent or risk value counts as the highest.

import type { ContractChange } from "../../reconcilers/plan/contract-change.js";
import type { Code } from "../codes.js";

export interface ContractDenial {
  readonly machine: string;
  readonly contract: string;
  readonly code: Code;
  readonly reason: string;
}

/** Distinct approvers counted for the plan digest, and what the policy asks of high-risk contracts. */
export interface ConsentApprovals {
  readonly approvers: number;
  /** `approvals.required.high_risk_contract`; absent or below 1 counts as 1. */
  readonly highRiskRequired?: number;
}

/** The shape of the plan's approvals check (cli/plan-approvals.ts `approvalState`). */
export interface ApprovalStateLike {
  readonly requirements: {
    readonly reasons: readonly { readonly risk: string; readonly needs: number }[];
  };
  readonly counted: { readonly approvers: readonly unknown[] };
}

export interface ConsentInput {
  readonly changes: readonly ContractChange[];
  /** Roles held by the keys that sign the contracts at apply (core/consent/signers.ts). */
  readonly signerRoles: ReadonlySet<string>;
  /** `--yes`: confirms every CONFIRM and ELEVATED_CONFIRM run (approvals are still needed). */
  readonly yes: boolean;
  /** A terminal can answer apply's prompt. */
  readonly interactive: boolean;
  readonly approvals: ConsentApprovals | ApprovalStateLike;
}

export interface ConsentResult {
  /** One line per NOTICE run: print before delivering. */
  readonly notices: string[];
  /**
   * One line per run that needs a confirmation (CONFIRM, ELEVATED_CONFIRM, HIGH risk). With
   * `yes` they are confirmed already; otherwise apply's prompt must list them.
   */
  readonly confirmations: string[];
  /** Runs that may not start: each is a PlumbError code, an audit event and a FAILED record. */
  readonly denials: ContractDenial[];
}

const LEVELS = ["NONE", "NOTICE", "CONFIRM", "ELEVATED_CONFIRM"] as const;

/** Unknown values are the highest (fail closed). */
export function consentLevel(c: ContractChange): (typeof LEVELS)[number] {
  return (LEVELS as readonly string[]).includes(c.consent) ? c.consent : "ELEVATED_CONFIRM";
}

/** ELEVATED_CONFIRM, HIGH risk, or anything not known to be lower. */
export function isElevated(c: ContractChange): boolean {
  return consentLevel(c) === "ELEVATED_CONFIRM" || (c.risk !== "low" && c.risk !== "medium");
}

export function normalizeApprovals(a: ConsentApprovals | ApprovalStateLike): {
  approvers: number;
  required: number;
} {
  if ("counted" in a) {
    const needs = a.requirements.reasons.find((r) => r.risk === "high-risk-contract")?.needs;
    return { approvers: a.counted.approvers.length, required: Math.max(1, needs ?? 1) };
  }
  const required = Number.isFinite(a.highRiskRequired) ? (a.highRiskRequired as number) : 1;
  const approvers = Number.isFinite(a.approvers) ? a.approvers : 0;
  return { approvers, required: Math.max(1, required) };
}

const label = (c: ContractChange) =>
  `${c.machine}: contract ${c.name} (${c.template}) — risk ${c.risk}, consent ${c.consent}${c.roles.length ? `, roles ${c.roles.join(", ")}` : ""}`;

export function checkContractConsent(input: ConsentInput): ConsentResult {
  const result: ConsentResult = { notices: [], confirmations: [], denials: [] };
  const approvals = normalizeApprovals(input.approvals);
  for (const c of input.changes) {
    if (c.action !== "run") continue;
    const level = consentLevel(c);
    const elevated = isElevated(c);
    const problems: { code: Code; reason: string }[] = [];
    const missing = [...new Set(c.roles)].filter((r) => !input.signerRoles.has(r));
    if (missing.length > 0)
      problems.push({
        code: "PLB971",
        reason: `its actions require the role${missing.length === 1 ? "" : "s"} ${missing.join(", ")}, which no signing key holds`,
      });
    if (elevated && approvals.approvers < approvals.required)
      problems.push({
        code: "PLB973",
        reason: `${level === "ELEVATED_CONFIRM" ? "ELEVATED_CONFIRM" : "HIGH risk"} needs ${approvals.required} approval(s) of the plan; it has ${approvals.approvers}`,
      });
    const needsConfirm = elevated || level === "CONFIRM";
    if (needsConfirm && !input.yes && !input.interactive)
      problems.push({
        code: "PLB972",
        reason: `consent ${level} needs --yes or a terminal to confirm`,
      });
    const first = problems[0];
    if (first) {
      const more = problems.slice(1).map((p) => `; also [${p.code}] ${p.reason}`);
      result.denials.push({
        machine: c.machine,
        contract: c.name,
        code: first.code,
        reason: `${first.reason}${more.join("")}`,
      });
      continue;
    }
    if (needsConfirm) result.confirmations.push(label(c));
    else if (level === "NOTICE") result.notices.push(label(c));
  }
  return result;
}
