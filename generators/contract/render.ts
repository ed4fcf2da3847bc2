// Renders template strings and files in the restricted template language
// (template-language.ts): every text is parsed and checked against the allowlist first, then
// rendered by a nunjucks environment stripped of its globals (range, cycler, joiner) and of every
// filter outside the allowlist. Inputs are data: the rendered text reaches Bash only through
// shq() in compile-bash.ts, never as code.
import nunjucks from "nunjucks";
import { PlumbError } from "../../core/errors.js";
import type { TemplateManifest } from "../../core/model/template.js";
import { ALLOWED_FILTERS, checkTemplateText } from "./template-language.js";

/** What a template may refer to: its inputs (values) and the names it declares. */
export interface RenderScope {
  readonly inputs: Record<string, unknown>;
  readonly names: ReadonlySet<string>;
}

/** The scope of a manifest: declared input names plus the given inputs' own names. */
export function scopeOf(manifest: TemplateManifest, inputs: Record<string, unknown>): RenderScope {
  const declared = Object.keys(
    (manifest.inputs?.properties as Record<string, unknown> | undefined) ?? {},
  );
  // Inputs are plain JSON data; a copy guarantees no getter or function comes along.
  const data = JSON.parse(JSON.stringify(inputs ?? {})) as Record<string, unknown>;
  return { inputs: data, names: new Set([...declared, ...Object.keys(data)]) };
}

let env: nunjucks.Environment | undefined;

function environment(): nunjucks.Environment {
  if (env) return env;
  // No loader (no file access), no autoescape (we render config files, not HTML), and an
  // undefined variable is an error rather than an empty string.
  const e = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
  const raw = e as unknown as {
    globals: Record<string, unknown>;
    filters: Record<string, unknown>;
  };
  for (const k of Object.keys(raw.globals)) delete raw.globals[k];
  for (const k of Object.keys(raw.filters)) if (!ALLOWED_FILTERS.has(k)) delete raw.filters[k];
  env = e;
  return e;
}

/**
 * Renders `text`; `where` names the template file or field in errors. The text is refused
 * (PLB823, with `where:line:column`) before rendering unless the restricted language allows it.
 */
export function renderText(text: string, scope: RenderScope, where: string): string {
  const issue = checkTemplateText(text, scope.names);
  if (issue) {
    throw new PlumbError(
      issue.syntax ? "PLB856" : "PLB823",
      `${where}:${issue.line}:${issue.column}: ${issue.message}`,
      {
        hint: issue.syntax
          ? "check the nunjucks syntax"
          : "templates use variables, allowed filters, if and for only (docs/contracts.md)",
      },
    );
  }
  try {
    return environment().renderString(text, scope.inputs);
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e))
      .replace(/^\(unknown path\)\s*/, "")
      .replace(/\s+/g, " ");
    throw new PlumbError("PLB856", `${where}: ${message}`, {
      hint: "every {{ variable }} must be a declared input that has a value",
      cause: e,
    });
  }
}

/** Renders every string inside a JSON-like value (gates, operations, proofs). */
export function renderDeep<T>(value: T, scope: RenderScope, where: string): T {
  if (typeof value === "string") return renderText(value, scope, where) as T;
  if (Array.isArray(value)) return value.map((v, i) => renderDeep(v, scope, `${where}[${i}]`)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderDeep(v, scope, `${where}.${k}`);
    return out as T;
  }
  return value;
}
