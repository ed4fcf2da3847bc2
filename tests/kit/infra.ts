// Test kit: build a LoadedInfra / ValidationResult from YAML text or a JS value, no files needed.
import { stringify } from "yaml";
import type { Diagnostic } from "../../core/diagnostics.js";
import { type InfraFile, type LoadedInfra, loadInfra } from "../../core/source/infra-source.js";
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

export function validateText(text: string, options: { strict?: boolean } = {}): ValidationResult {
  return validateInfra(loadText(text), options);
}

export function validateValue(
  value: unknown,
  options: { strict?: boolean } = {},
): ValidationResult {
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
