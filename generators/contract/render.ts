// Renders template strings and files with nunjucks. Inputs are data: the rendered text reaches
// Bash only through shq() in compile-bash.ts, never as code.
import nunjucks from "nunjucks";
import { PlumbError } from "../../core/errors.js";

let env: nunjucks.Environment | undefined;

function environment(): nunjucks.Environment {
  // No loader (no file access), no autoescape (we render config files, not HTML), and an
  // undefined variable is an error rather than an empty string.
  env ??= new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
  return env;
}

/** Renders `text`; `where` names the template file or field in errors (PLB856). */
export function renderText(text: string, inputs: Record<string, unknown>, where: string): string {
  try {
    return environment().renderString(text, inputs);
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e))
      .replace(/^\(unknown path\)\s*/, "")
      .replace(/\s+/g, " ");
    throw new PlumbError("PLB856", `${where}: ${message}`, {
      hint: "every {{ variable }} must be a declared input; check the nunjucks syntax",
      cause: e,
    });
  }
}

/** Renders every string inside a JSON-like value (gates, operations, proofs). */
export function renderDeep<T>(value: T, inputs: Record<string, unknown>, where: string): T {
  if (typeof value === "string") return renderText(value, inputs, where) as T;
  if (Array.isArray(value))
    return value.map((v, i) => renderDeep(v, inputs, `${where}[${i}]`)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderDeep(v, inputs, `${where}.${k}`);
    return out as T;
  }
  return value;
}
