// An action of the catalog (templates/actions/<action_id>.yml): a named, bounded
// change with its risk, the consent a run needs, the role that may run it, typed params and
// the probes that decide success. Templates compose actions; there is no inline shell.
import type { Operation, Proof } from "./template.js";

export const RISK_LEVELS = ["LOW", "MEDIUM", "HIGH"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export const CONSENT_LEVELS = ["NONE", "NOTICE", "CONFIRM", "ELEVATED_CONFIRM"] as const;
export type ConsentLevel = (typeof CONSENT_LEVELS)[number];
export const ACTION_ROLES = ["operator", "support", "admin", "approver"] as const;
export type ActionRole = (typeof ACTION_ROLES)[number];

export interface CatalogAction {
  action_id: string;
  title: string;
  description: string;
  risk_level: RiskLevel;
  consent_level: ConsentLevel;
  role: ActionRole;
  /** JSON Schema (object) of the params; a property with `x-sensitive: true` is a secret. */
  params: Record<string, unknown>;
  /** Params the gatekeeper renders the action with. */
  sample_params: Record<string, unknown>;
  /** Operations of the bounded step types; strings may use {{ params }}. */
  steps: Operation[];
  /** Proofs that decide success; strings may use {{ params }}. */
  probes: Proof[];
}

/** A template's use of an action: params may use the template's {{ inputs }}. */
export interface ActionUse {
  action: string;
  params?: Record<string, unknown>;
}

export const maxLevel = <T extends string>(order: readonly T[], levels: readonly T[]): T =>
  order[Math.max(0, ...levels.map((l) => order.indexOf(l)))] as T;

/** Names of the params (or inputs) a JSON Schema marks `x-sensitive: true`. */
export function sensitiveNames(schema: Record<string, unknown> | undefined): Set<string> {
  const props = (schema?.properties ?? {}) as Record<string, Record<string, unknown>>;
  return new Set(Object.keys(props).filter((k) => props[k]?.["x-sensitive"] === true));
}
