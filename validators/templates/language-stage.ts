// Gatekeeper stage "language": every text the template renders (template.yml fields and the
// files/ sources its BOM uses) must parse and pass the restricted-language allowlist. Pure
// parsing, nothing renders here, so it runs even on a template whose hash is not locked yet.
import type { Diagnostic, JsonPath, SourcePosition } from "../../core/diagnostics.js";
import type { TemplateManifest } from "../../core/model/template.js";
import type { YamlSource } from "../../core/source/yaml-source.js";
import {
  checkTemplateText,
  type LanguageIssue,
} from "../../generators/contract/template-language.js";

/** Every string of the manifest that forge renders, with its JSON path. */
export function templatedStrings(m: TemplateManifest): [JsonPath, string][] {
  const out: [JsonPath, string][] = [];
  const walk = (v: unknown, path: JsonPath): void => {
    if (typeof v === "string") out.push([path, v]);
    else if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(x, [...path, i]);
    else if (v !== null && typeof v === "object")
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(m.gates ?? [], ["gates"]);
  for (const [i, b] of (m.bom ?? []).entries()) walk(b.path, ["bom", i, "path"]);
  walk(m.operations ?? [], ["operations"]);
  walk(m.proofs ?? [], ["proofs"]);
  return out;
}

/** Moves an issue inside a YAML scalar to its position in template.yml (quotes accounted for). */
function inYaml(src: YamlSource, path: JsonPath, issue: LanguageIssue): SourcePosition {
  const at = src.locate(path);
  if (issue.line > 1)
    return { file: at.file, line: at.line + issue.line - 1, column: issue.column };
  const quote = /^["']/.test(src.lineText(at.line)?.slice(at.column - 1) ?? "") ? 1 : 0;
  return { file: at.file, line: at.line, column: at.column + quote + issue.column - 1 };
}

export function languageStage(
  dir: string,
  manifest: TemplateManifest,
  files: ReadonlyMap<string, string>,
  src: YamlSource,
): Diagnostic[] {
  const names = new Set(
    Object.keys((manifest.inputs?.properties as Record<string, unknown> | undefined) ?? {}),
  );
  const out: Diagnostic[] = [];
  const push = (issue: LanguageIssue, location: SourcePosition, what: string) =>
    out.push({
      code: issue.syntax ? "PLB856" : "PLB823",
      severity: "error",
      message: `${what}: ${issue.message}`,
      hint: issue.syntax
        ? "check the nunjucks syntax"
        : "templates use declared inputs, allowed filters, if and for only; no calls, no tags, no prototype names",
      location,
    });
  for (const [path, text] of templatedStrings(manifest)) {
    const issue = checkTemplateText(text, names);
    if (issue) push(issue, inYaml(src, path, issue), "template.yml");
  }
  const seen = new Set<string>();
  for (const b of manifest.bom ?? []) {
    const text = files.get(b.source);
    if (text === undefined || seen.has(b.source)) continue;
    seen.add(b.source);
    const issue = checkTemplateText(text, names);
    const file = `${dir}/files/${b.source}`;
    if (issue) push(issue, { file, line: issue.line, column: issue.column }, file);
  }
  return out;
}
