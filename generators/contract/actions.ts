// Expands a template's catalog actions into bounded steps: the params (rendered with the
// template's inputs) are checked against the action's schema, the action's steps and probes are
// rendered with the params alone, and the rendered steps pass the same checks as a template's.
// The HFC records each action with its risk, consent and role; sensitive params are digests.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { ErrorObject } from "ajv/dist/2020.js";
import {
  type ActionRole,
  type CatalogAction,
  type ConsentLevel,
  type RiskLevel,
  sensitiveNames,
} from "../../core/model/action.js";
import type { Operation, Proof, TemplateManifest } from "../../core/model/template.js";
import { type RenderScope, renderDeep, scopeOf } from "./render.js";
import { checkStepsRendered, type StepIssue } from "./step-check.js";

export interface HfcAction {
  readonly action_id: string;
  readonly risk_level: RiskLevel;
  readonly consent_level: ConsentLevel;
  readonly role: ActionRole;
  /** Params as rendered; an `x-sensitive` param is `(sensitive) sha256:<12 hex>`. */
  readonly params: Record<string, unknown>;
}

export interface ExpandedActions {
  readonly actions: HfcAction[];
  readonly operations: Operation[];
  readonly proofs: Proof[];
}

const require = createRequire(import.meta.url);

/** `(sensitive) sha256:…` for a secret value: never the value, stable for the same value. */
export function redact(value: unknown): string {
  const digest = createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 12);
  return `(sensitive) sha256:${digest}`;
}

export function redactSensitive(
  values: Record<string, unknown>,
  schema: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const secret = sensitiveNames(schema);
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, secret.has(k) ? redact(v) : v]),
  );
}

const compiled = new WeakMap<object, ReturnType<import("ajv/dist/2020.js").Ajv2020["compile"]>>();

function paramsProblem(action: CatalogAction, params: Record<string, unknown>): string | undefined {
  let validate = compiled.get(action.params);
  if (!validate) {
    const { Ajv2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
    validate = new Ajv2020({ allErrors: true, strict: false }).compile(action.params);
    compiled.set(action.params, validate);
  }
  if (validate(params)) return undefined;
  const secret = sensitiveNames(action.params);
  return ((validate.errors ?? []) as ErrorObject[])
    .map((e) => {
      const name = e.instancePath.slice(1).split("/")[0] ?? "";
      // A secret's value never appears in a message; ajv messages name the rule, not the value.
      const where = e.instancePath ? `param '${e.instancePath.slice(1)}'` : "params";
      if (e.keyword === "additionalProperties")
        return `unknown param '${(e.params as { additionalProperty: string }).additionalProperty}'`;
      if (e.keyword === "required")
        return `missing param '${(e.params as { missingProperty: string }).missingProperty}'`;
      return `${where} ${secret.has(name) ? "is invalid" : (e.message ?? "is invalid")}`;
    })
    .join("; ");
}

/** Expands `m.actions`; returns the first issue (with its path in template.yml) instead. */
export function expandActions(
  m: TemplateManifest,
  catalog: ReadonlyMap<string, CatalogAction>,
  scope: RenderScope,
  dir: string,
): ExpandedActions | StepIssue {
  const out: ExpandedActions = { actions: [], operations: [], proofs: [] };
  for (const [i, use] of (m.actions ?? []).entries()) {
    const action = catalog.get(use.action);
    if (!action)
      return {
        code: "PLB833",
        message: `'${use.action}' is not an action of the loaded catalog (${[...catalog.keys()].join(", ") || "none loaded"})`,
        path: ["actions", i, "action"],
      };
    const params = renderDeep(use.params ?? {}, scope, `${dir}/template.yml actions[${i}].params`);
    const problem = paramsProblem(action, params);
    if (problem)
      return {
        code: "PLB834",
        message: `${action.action_id}: ${problem}`,
        path: ["actions", i, "params"],
      };
    const inner = scopeOf({ inputs: action.params } as unknown as TemplateManifest, params);
    const where = `templates/actions/${action.action_id}.yml`;
    const operations = renderDeep(action.steps, inner, `${where} steps`);
    const proofs = renderDeep(action.probes, inner, `${where} probes`);
    const issue = checkStepsRendered(
      { operations: action.steps, proofs: action.probes } as TemplateManifest,
      { gates: [], bomPaths: [], operations, proofs },
    )[0];
    if (issue)
      return { ...issue, message: `${action.action_id}: ${issue.message}`, path: ["actions", i] };
    out.actions.push({
      action_id: action.action_id,
      risk_level: action.risk_level,
      consent_level: action.consent_level,
      role: action.role,
      params: redactSensitive(params, action.params),
    });
    out.operations.push(...operations);
    out.proofs.push(...proofs);
  }
  return out;
}
