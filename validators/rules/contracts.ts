// `contracts:` against templates/: the template exists and is locked, the inputs match its
// schema, and secrets are references exactly where the template marks an input `x-sensitive`.
// Needs the template index (validators/contracts/template-index.ts); skipped without one.
import { createRequire } from "node:module";
import type { ErrorObject } from "ajv/dist/2020.js";
import type { Diagnostic } from "../../core/diagnostics.js";
import { sensitiveNames } from "../../core/model/action.js";
import { isRecord } from "../../core/model/addressing.js";
import { isSecretRef, looksLikeSecretRef, SECRET_NAME_RE } from "../../core/redact/secret-ref.js";
import { didYouMean } from "../../core/suggest.js";
import type { ContractTemplateInfo } from "../contracts/template-index.js";
import type { MachineEntry, Rule } from "./context.js";
import { machinePath } from "./context.js";

const require = createRequire(import.meta.url);
type Validate = ((d: unknown) => boolean) & { errors?: ErrorObject[] | null };
const compiled = new WeakMap<object, Validate | string>();

function validatorOf(schema: Record<string, unknown>): Validate | string {
  let v = compiled.get(schema);
  if (v === undefined) {
    try {
      const { Ajv2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
      v = new Ajv2020({ allErrors: true, strict: false }).compile(schema) as Validate;
    } catch (e) {
      v = (e as Error).message;
    }
    compiled.set(schema, v);
  }
  return v;
}

export const contractsMatchTemplates: Rule = (ctx) => {
  const index = ctx.templates;
  if (index === undefined) return [];
  const out: Diagnostic[] = [];
  for (const m of ctx.machines) {
    if (!Array.isArray(m.value.contracts)) continue;
    m.value.contracts.forEach((c, i) => {
      if (!isRecord(c) || typeof c.template !== "string") return;
      const at = (...rest: (string | number)[]) => machinePath(m, "contracts", i, ...rest);
      const t = index.bySlug.get(c.template);
      if (t === undefined) {
        const known = [...index.bySlug.keys()];
        out.push({
          code: "PLB114",
          severity: "error",
          message: `machine '${m.name}': no template '${c.template}' under templates/`,
          hint:
            didYouMean(c.template, known) ??
            (known.length ? `templates: ${known.join(", ")}` : "templates/ holds no template"),
          path: at("template"),
        });
        return;
      }
      if (t.lock !== "locked") {
        const why = {
          "no-lock": `${index.lockPath} does not exist`,
          "not-in-lock": `it is not in ${index.lockPath}`,
          changed: `its content changed since ${index.lockPath} was written`,
        }[t.lock];
        out.push({
          code: "PLB115",
          severity: "error",
          message: `machine '${m.name}': template '${c.template}' is not locked: ${why}`,
          hint: "review the template, run `plumb templates lock` and commit templates.lock",
          path: at("template"),
        });
      }
      out.push(...checkInputs(m, t, c.inputs, at));
    });
  }
  return out;
};

function checkInputs(
  m: MachineEntry,
  t: ContractTemplateInfo,
  raw: unknown,
  at: (...rest: (string | number)[]) => (string | number)[],
): Diagnostic[] {
  if (t.inputs === undefined) return []; // the gatekeeper reports the broken template.yml
  if (raw !== undefined && !isRecord(raw)) return []; // the schema reports it
  const inputs = (raw ?? {}) as Record<string, unknown>;
  const secret = sensitiveNames(t.inputs);
  const out: Diagnostic[] = [];
  // Secret references stand in for their value: checked with the template's sample value.
  const checked: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (looksLikeSecretRef(v)) {
      if (!isSecretRef(v) || !SECRET_NAME_RE.test(v.secret)) {
        out.push({
          code: "PLB116",
          severity: "error",
          message: `machine '${m.name}', contract '${t.slug}': input '${k}' is not a valid secret reference`,
          hint: "write {secret: NAME} with NAME of letters, digits and _ (it becomes PLUMB_SECRET_<NAME>)",
          path: at("inputs", k),
        });
      } else if (!secret.has(k)) {
        out.push({
          code: "PLB117",
          severity: "error",
          message: `machine '${m.name}', contract '${t.slug}': input '${k}' is not x-sensitive, so it cannot be a secret reference`,
          hint: `give '${k}' its value, or mark it x-sensitive in templates/${t.slug}/template.yml`,
          path: at("inputs", k),
        });
      }
      checked[k] = t.sampleInputs[k] ?? "";
      continue;
    }
    if (secret.has(k)) {
      out.push({
        code: "PLB118",
        severity: "error",
        message: `machine '${m.name}', contract '${t.slug}': input '${k}' is x-sensitive and must not be written in the infra`,
        hint: `write ${k}: {secret: NAME} and keep the value in .plumb/secrets.yml (mode 0600) or PLUMB_SECRET_<NAME>`,
        path: at("inputs", k),
      });
      checked[k] = t.sampleInputs[k] ?? "";
      continue;
    }
    checked[k] = v;
  }
  const validate = validatorOf(t.inputs);
  if (typeof validate === "string") return out; // the gatekeeper reports the broken schema
  if (validate(checked)) return out;
  const declared = Object.keys(isRecord(t.inputs.properties) ? t.inputs.properties : {});
  for (const e of validate.errors ?? []) {
    const name = e.instancePath.slice(1).split("/")[0] ?? "";
    let message: string;
    let path = name ? at("inputs", name) : raw === undefined ? at("template") : at("inputs");
    if (e.keyword === "additionalProperties") {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      message = `unknown input '${extra}'`;
      path = at("inputs", extra);
      out.push({
        code: "PLB116",
        severity: "error",
        message: `machine '${m.name}', contract '${t.slug}': ${message}`,
        hint:
          didYouMean(extra, declared) ?? `inputs of ${t.slug}: ${declared.join(", ") || "(none)"}`,
        path,
        target: "key",
      });
      continue;
    }
    if (e.keyword === "required") {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      message = `missing input '${missing}'`;
    } else {
      // A sensitive input's rule is not shown either: it could narrow the value down.
      message = `input '${name}' ${secret.has(name) ? "is invalid" : (e.message ?? "is invalid")}`;
    }
    out.push({
      code: "PLB116",
      severity: "error",
      message: `machine '${m.name}', contract '${t.slug}': ${message}`,
      hint: `see the inputs schema in templates/${t.slug}/template.yml`,
      path,
    });
  }
  return out;
}
