// Test kit: build a LoadedInfra / ValidationResult from YAML text or a JS value, no files needed.
import { stringify } from "yaml";
import type { Code } from "../../core/codes.js";
import type { Diagnostic, Severity } from "../../core/diagnostics.js";
import { type InfraFile, type LoadedInfra, loadInfra } from "../../core/source/infra-source.js";
import { buildContext, type Rule } from "../../validators/rules/context.js";
import { type ValidationResult, validateInfra } from "../../validators/validate.js";

export function loadText(text: string, path = "infra.yml"): LoadedInfra {
  return loadInfra({ mode: "file", file: { path, content: text } });
}

export function loadDir(files: Record<string, string>, dir = "infra"): LoadedInfra {
  const f = (rel: string): InfraFile | undefined =>
    files[rel] === undefined ? undefined : { path: `${dir}/${rel}`, content: files[rel] as string };
  return loadInfra({
    mode: "dir",
    dir,
    base: f("base.yml"),
    domains: Object.keys(files)
      .filter((k) => k.startsWith("domains/"))
      .map((k) => f(k) as InfraFile),
    policies: f("policies.yml"),
  });
}

type Options = { strict?: boolean; allowUnknownKeys?: boolean };

export function validateText(text: string, options: Options = {}): ValidationResult {
  return validateInfra(loadText(text), options);
}

export function validateDir(
  files: Record<string, string>,
  options: Options = {},
): ValidationResult {
  return validateInfra(loadDir(files), options);
}

export function validateValue(value: unknown, options: Options = {}): ValidationResult {
  return validateText(stringify(value), options);
}

/** A minimal valid zone-mode estate; tests spread their changes over it. */
export function minimalEstate(
  domains: Record<string, unknown> = { web: { machines: { "web-1": {} } } },
) {
  return { project_name: "t", global: { addressing: { base_octet: 10, zone_base: 100 } }, domains };
}

export const codes = (ds: readonly Diagnostic[]) => ds.map((d) => d.code);
export const errorsOf = (r: ValidationResult) =>
  r.diagnostics.filter((d) => d.severity === "error");

/**
 * Dedents a template literal, so YAML written inline in a test stays readable and its line and
 * column numbers are the ones a reader counts: the first line after the opening backtick is
 * line 1, and the least-indented line starts at column 1. Only the literal text is dedented;
 * interpolated values go in verbatim, so a multi-line value carries its own indentation.
 */
export function yml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const lead = (l: string) => /^ */.exec(l)?.[0].length ?? 0;
  // Lines that start in literal text (not continuations after an interpolation) set the indent;
  // a line holding only indentation before an interpolation counts too.
  const starts: string[] = [];
  strings.forEach((s, i) => {
    const lines = s.split("\n");
    lines.forEach((l, j) => {
      if (i > 0 && j === 0) return;
      if (l.trim() !== "" || (j === lines.length - 1 && i < values.length)) starts.push(l);
    });
  });
  const indent = Math.min(...starts.map(lead));
  const strip = (s: string, i: number) =>
    s
      .split("\n")
      .map((l, j) => (i > 0 && j === 0 ? l : l.slice(Math.min(indent, lead(l)))))
      .join("\n");
  const text = strings
    .map(strip)
    .reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ""), "");
  return `${text.replace(/^ *\n/, "").replace(/\n *$/, "")}\n`;
}

/** A diagnostic reduced to what tests assert: its code, severity and `file:line:column`. */
export interface Found {
  readonly code: Code;
  readonly severity: Severity;
  readonly at: string;
}

export function at(d: Diagnostic): string {
  const l = d.location;
  return l ? `${l.file}:${l.line}:${l.column}` : "(no location)";
}

/** The diagnostics (optionally only those with `code`) as `{ code, severity, at }`. */
export function found(r: ValidationResult | readonly Diagnostic[], code?: Code): Found[] {
  const ds = "diagnostics" in r ? r.diagnostics : r;
  return ds
    .filter((d) => code === undefined || d.code === code)
    .map((d) => ({ code: d.code, severity: d.severity, at: at(d) }));
}

/** Diagnostics carrying `code`. */
export function withCode(r: ValidationResult | readonly Diagnostic[], code: Code): Diagnostic[] {
  const ds = "diagnostics" in r ? r.diagnostics : r;
  return ds.filter((d) => d.code === code);
}

/**
 * Runs one semantic rule alone on a YAML text (file mode) and locates what it returns, so a
 * rule's test sees only that rule's diagnostics, at the positions the CLI would print.
 */
export function checkRule(rule: Rule, text: string, file = "infra.yml"): Diagnostic[] {
  const loaded = loadText(text, file);
  if (loaded.document === undefined) {
    throw new Error(`test input does not load: ${codes(loaded.diagnostics).join(", ")}`);
  }
  return rule(buildContext(loaded.document)).map((d) =>
    d.path === undefined ? d : { ...d, location: loaded.locate(d.path, d.target) },
  );
}
