// Forge: template + typed inputs + target → the HFC document (header, gates, bom, operations,
// proofs) and the compiled Bash script. Pure and deterministic: the same template, inputs,
// target, commit and creation time give the same bytes.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { ErrorObject } from "ajv/dist/2020.js";
import { formatPath, type JsonPath } from "../../core/diagnostics.js";
import { PlumbError } from "../../core/errors.js";
import type { CatalogAction } from "../../core/model/action.js";
import {
  type BomEntry,
  type Gate,
  type Operation,
  type Proof,
  type TemplateManifest,
  type TemplateRisk,
  templateRisk,
} from "../../core/model/template.js";
import { expandActions, type HfcAction, redactSensitive } from "./actions.js";
import { compileBash } from "./compile-bash.js";
import { renderDeep, renderText, scopeOf } from "./render.js";
import { checkStepsRendered, checkStepsStatic, type StepIssue } from "./step-check.js";

/** A refused step, with its place in template.yml (the gatekeeper locates it from `path`). */
export class StepError extends PlumbError {
  readonly path: JsonPath;
  constructor(dir: string, issue: StepIssue) {
    super(issue.code, `${dir}/template.yml ${formatPath(issue.path)}: ${issue.message}`, {
      hint: "contracts run bounded steps only: see docs/contracts.md (step types, command allowlist, paths)",
    });
    this.path = issue.path;
  }
}

export interface TemplateSource {
  /** Display path, e.g. `templates/motd`. */
  readonly dir: string;
  readonly manifest: TemplateManifest;
  /** Files under `files/`, by relative path, as UTF-8 text. */
  readonly files: ReadonlyMap<string, string>;
  /** `sha256:<hex>` of the template folder (see validators/templates/tree-hash.ts). */
  readonly treeHash: string;
  /** The loaded catalog (only actions that passed the gatekeeper and the lock). */
  readonly catalog?: ReadonlyMap<string, CatalogAction>;
}

export interface ForgeOptions {
  readonly target: string;
  readonly inputs: Record<string, unknown>;
  readonly gitCommit: string | null;
  /** ISO-8601 UTC; the caller derives it from SOURCE_DATE_EPOCH or the commit for reproducibility. */
  readonly createdAt: string;
}

export interface HfcBom {
  readonly path: string;
  readonly source: string;
  readonly mode: string;
  readonly owner: string;
  readonly group: string;
  readonly size: number;
  readonly sha256: string;
}

export interface Hfc {
  readonly hfc: 1;
  readonly header: {
    readonly id: string;
    readonly version: 1;
    readonly template: string;
    readonly template_hash: string;
    /** high when the template declares executable assets (issue 12 turns it into approvals). */
    readonly risk: TemplateRisk;
    readonly target: string;
    readonly created_at: string;
    readonly git_commit: string | null;
    readonly inputs: Record<string, unknown>;
  };
  readonly gates: readonly Gate[];
  readonly bom: readonly HfcBom[];
  readonly operations: readonly Operation[];
  /** Catalog actions the operations and proofs include (risk, consent, role, redacted params). */
  readonly actions: readonly HfcAction[];
  readonly proofs: readonly Proof[];
}

export interface ForgedContract {
  readonly hfc: Hfc;
  /** The compiled script (what gets signed and executed). */
  readonly script: string;
  /** Rendered BOM contents by destination path. */
  readonly contents: ReadonlyMap<string, string>;
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** Deterministic JSON (sorted keys) used to derive the contract id. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

const require = createRequire(import.meta.url);

// One compiled validator per inputs schema object (a plan forges many contracts of a template).
const inputValidators = new WeakMap<
  object,
  ReturnType<import("ajv/dist/2020.js").Ajv2020["compile"]>
>();

export function checkInputs(manifest: TemplateManifest, inputs: Record<string, unknown>): void {
  let validate = inputValidators.get(manifest.inputs);
  if (!validate) {
    const { Ajv2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
    validate = new Ajv2020({ allErrors: true, strict: false }).compile(manifest.inputs);
    inputValidators.set(manifest.inputs, validate);
  }
  if (validate(inputs)) return;
  const errors = (validate.errors ?? []) as ErrorObject[];
  const text = errors
    .map((e) => {
      const where = e.instancePath ? `input '${e.instancePath.slice(1)}'` : "inputs";
      if (e.keyword === "additionalProperties")
        return `unknown input '${(e.params as { additionalProperty: string }).additionalProperty}'`;
      if (e.keyword === "required")
        return `missing input '${(e.params as { missingProperty: string }).missingProperty}'`;
      return `${where} ${e.message ?? "is invalid"}`;
    })
    .join("; ");
  const declared = Object.keys(
    (manifest.inputs.properties as Record<string, unknown> | undefined) ?? {},
  );
  throw new PlumbError("PLB864", `${manifest.slug}: ${text}`, {
    hint: `declared inputs: ${declared.join(", ") || "(none)"}; pass them as --input key=value`,
  });
}

export function forge(t: TemplateSource, options: ForgeOptions): ForgedContract {
  const m = t.manifest;
  const fixed = checkStepsStatic(m, t.files)[0];
  if (fixed) throw new StepError(t.dir, fixed);
  checkInputs(m, options.inputs);
  const inputs = options.inputs;
  const scope = scopeOf(m, inputs);
  const gates = renderDeep(m.gates ?? [], scope, `${t.dir}/template.yml gates`);
  const own = renderDeep(m.operations ?? [], scope, `${t.dir}/template.yml operations`);
  const ownProofs = renderDeep(m.proofs ?? [], scope, `${t.dir}/template.yml proofs`);
  const expanded = expandActions(m, t.catalog ?? new Map(), scope, t.dir);
  if ("code" in expanded) throw new StepError(t.dir, expanded);
  const operations = [...own, ...expanded.operations];
  const proofs = [...ownProofs, ...expanded.proofs];
  const contents = new Map<string, string>();
  const bom: HfcBom[] = (m.bom ?? []).map((b: BomEntry, i) => {
    const path = renderText(b.path, scope, `${t.dir}/template.yml bom[${i}].path`);
    const source = t.files.get(b.source);
    if (source === undefined) {
      throw new PlumbError(
        "PLB853",
        `${t.dir}/files/${b.source} does not exist (bom[${i}].source)`,
      );
    }
    const text = renderText(source, scope, `${t.dir}/files/${b.source}`);
    if (contents.has(path))
      throw new PlumbError("PLB850", `${t.dir}: bom path ${path} is declared twice`);
    contents.set(path, text);
    return {
      path,
      source: b.source,
      mode: (b.mode ?? (b.executable ? "0755" : "0644")).padStart(4, "0"),
      owner: b.owner ?? "root",
      group: b.group ?? "root",
      size: Buffer.byteLength(text, "utf8"),
      sha256: sha256(text),
    };
  });
  const rendered = checkStepsRendered(m, {
    gates,
    bomPaths: bom.map((b) => b.path),
    operations: own,
    proofs: ownProofs,
  })[0];
  if (rendered) throw new StepError(t.dir, rendered);
  const template = `${m.slug}@${m.version}`;
  const id = `c-${sha256(stable({ template, template_hash: t.treeHash, target: options.target, inputs, git_commit: options.gitCommit })).slice(0, 24)}`;
  const hfc: Hfc = {
    hfc: 1,
    header: {
      id,
      version: 1,
      template,
      template_hash: t.treeHash,
      risk: maxRisk(templateRisk(m), expanded.actions),
      target: options.target,
      created_at: options.createdAt,
      git_commit: options.gitCommit,
      inputs: redactSensitive(inputs, m.inputs),
    },
    gates,
    bom,
    operations,
    actions: expanded.actions,
    proofs,
  };
  return { hfc, script: compileBash(hfc, contents), contents };
}

const RISKS: readonly TemplateRisk[] = ["low", "medium", "high"];
function maxRisk(base: TemplateRisk, actions: readonly HfcAction[]): TemplateRisk {
  const levels = [base, ...actions.map((a) => a.risk_level.toLowerCase() as TemplateRisk)];
  return RISKS[Math.max(...levels.map((l) => RISKS.indexOf(l)))] as TemplateRisk;
}

/** The HFC document as written to disk: 2-space JSON, trailing newline. */
export function hfcJson(hfc: Hfc): string {
  return `${JSON.stringify(hfc, null, 2)}\n`;
}
