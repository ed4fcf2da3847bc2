// The risks of a plan, change by change: deletes, replaces, restarts, delete-protected
// instances, host access (and high-risk contracts, added by the contract planner). Recorded in
// the plan document (inside its digest) so every format and apply read the same facts.
import type { Change, ObservedObject } from "../../reconcilers/model.js";
import { type HostAccessFinding, hostAccessOf } from "./host-access.js";

export type RiskKind =
  | "delete"
  | "replace"
  | "restart"
  | "delete-protected"
  | "high-risk-contract"
  | "host-access";
export const RISK_KINDS: readonly RiskKind[] = [
  "delete",
  "replace",
  "restart",
  "delete-protected",
  "high-risk-contract",
  "host-access",
];

export interface RiskItem {
  /** The change id (`instance:web/web-1`) or contract id the risks are about. */
  readonly id: string;
  readonly risks: readonly RiskKind[];
  /** Host-access findings, when `risks` holds `host-access`. */
  readonly hostAccess?: readonly HostAccessFinding[];
  /** Trust level of the domain the object belongs to, when known. */
  readonly trustLevel?: string;
}

export interface PlanRisk {
  readonly items: readonly RiskItem[];
}

export interface RiskContext {
  /** Host paths disk devices may use without counting as host access. */
  readonly sharedRoots: readonly string[];
  /** Trust level of an Incus project (a domain), if declared. */
  readonly trustOf: (project: string) => string | undefined;
}

/** Only findings this change introduces: every one for a create, the touched paths for updates. */
function newFindings(c: Change, ctx: RiskContext): HostAccessFinding[] {
  if (c.ref.kind !== "instance" && c.ref.kind !== "profile") return [];
  switch (c.action) {
    case "create":
    case "replace":
      return hostAccessOf(c.desired as object, ctx.sharedRoots);
    case "update":
    case "update-restart": {
      const touched = c.fields.filter((f) => f.after !== undefined).map((f) => f.path);
      return hostAccessOf(c.desired as object, ctx.sharedRoots).filter((h) =>
        touched.some(
          (p) => p === h.path || p.startsWith(`${h.path}.`) || h.path.startsWith(`${p}.`),
        ),
      );
    }
    default:
      return [];
  }
}

function deleteProtected(c: Change, observed: ReadonlyMap<string, ObservedObject>): boolean {
  if (c.ref.kind !== "instance" || (c.action !== "delete" && c.action !== "replace")) return false;
  const o = observed.get(c.id);
  const config = ((o?.spec as { config?: Record<string, unknown> } | undefined)?.config ??
    {}) as Record<string, unknown>;
  return config["security.protection.delete"] === "true";
}

/** What risk needs of a planned contract run (reconcilers/plan/contract-change.ts). */
export interface ContractRiskInput {
  readonly machine: string;
  readonly name: string;
  readonly action: string;
  readonly risk: string;
  readonly consent: string;
}

/**
 * Contract runs that count as `high-risk-contract`: HIGH risk or ELEVATED_CONFIRM consent (an
 * unknown value counts too: fail closed). Read defensively: a plan without contracts has none.
 */
export function contractRiskItems(
  contracts: readonly ContractRiskInput[] | undefined | null,
): RiskItem[] {
  if (!Array.isArray(contracts)) return [];
  return contracts
    .filter((c) => c?.action === "run")
    .filter(
      (c) =>
        c.consent === "ELEVATED_CONFIRM" ||
        !["NONE", "NOTICE", "CONFIRM"].includes(c.consent) ||
        (c.risk !== "low" && c.risk !== "medium"),
    )
    .map((c) => ({ id: `contract:${c.machine}/${c.name}`, risks: ["high-risk-contract"] }));
}

export function assessRisk(
  changes: readonly Change[],
  observed: readonly ObservedObject[],
  ctx: RiskContext,
  contracts?: readonly ContractRiskInput[],
): PlanRisk {
  const byId = new Map(observed.map((o) => [`${o.ref.kind}:${o.ref.project}/${o.ref.name}`, o]));
  const items: RiskItem[] = [];
  for (const c of changes) {
    const risks: RiskKind[] = [];
    if (c.action === "delete") risks.push("delete");
    if (c.action === "replace") risks.push("replace");
    if (c.action === "update-restart") risks.push("restart");
    if (deleteProtected(c, byId)) risks.push("delete-protected");
    const host = newFindings(c, ctx);
    if (host.length > 0) risks.push("host-access");
    if (risks.length === 0) continue;
    const trust = c.ref.kind === "network" ? undefined : ctx.trustOf(c.ref.project);
    items.push({
      id: c.id,
      risks,
      ...(host.length > 0 ? { hostAccess: host } : {}),
      ...(trust !== undefined ? { trustLevel: trust } : {}),
    });
  }
  items.push(...contractRiskItems(contracts));
  return { items };
}

/** Ids of the changes that reach the host, for markers in every format. */
export function hostAccessIds(risk: PlanRisk | undefined): Set<string> {
  return new Set(
    (risk?.items ?? []).filter((i) => i.risks.includes("host-access")).map((i) => i.id),
  );
}
