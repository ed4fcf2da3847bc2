// Two-phase validation of a loaded infra: structure (JSON Schema), then the semantic rules.
// Returns every problem at once, each located in its source file. Pure: content in, result out.
import type { Diagnostic } from "../core/diagnostics.js";
import { sortDiagnostics } from "../core/diagnostics.js";
import type { ParsedLock } from "../core/model/addressing-lock.js";
import type { InfraDocument } from "../core/model/infra.js";
import type { LoadedInfra } from "../core/source/infra-source.js";
import type { ContractTemplates } from "./contracts/template-index.js";
import { dropNullMachineKeys } from "./normalize.js";
import { buildContext } from "./rules/context.js";
import { RULES } from "./rules/index.js";
import { checkSchema } from "./schema-check.js";

export interface ValidateOptions {
  /** Treat warnings as errors (notes stay notes). */
  readonly strict?: boolean;
  /** The recorded address allocations and the problems of their file (addresses.lock.yml). */
  readonly addressLock?: ParsedLock;
  /** Unknown keys (PLB106) are warnings instead of errors: the explicit opt-out of strictness. */
  readonly allowUnknownKeys?: boolean;
  /** templates/ for checking `contracts:` (validators/contracts/template-index.ts). */
  readonly templates?: ContractTemplates;
}

export interface ValidationResult {
  readonly ok: boolean;
  /** Located and sorted by file, line, column. */
  readonly diagnostics: readonly Diagnostic[];
  /** The validated document; present only when `ok`. */
  readonly document: InfraDocument | undefined;
  readonly stats: { readonly files: number; readonly domains: number; readonly machines: number };
}

export function validateInfra(
  loaded: LoadedInfra,
  options: ValidateOptions = {},
): ValidationResult {
  const found: Diagnostic[] = [...loaded.diagnostics, ...(options.addressLock?.diagnostics ?? [])];
  let domains = 0;
  let machines = 0;
  const doc = loaded.document === undefined ? undefined : dropNullMachineKeys(loaded.document);
  if (doc === undefined && loaded.partial !== undefined) {
    // Some file could not be read: still report the other files' structural problems. Missing
    // required keys may live in the unreadable file, and the rules need the whole estate.
    found.push(
      ...checkSchema(dropNullMachineKeys(loaded.partial)).filter((d) => d.code !== "PLB101"),
    );
  }
  if (doc !== undefined) {
    found.push(...checkSchema(doc));
    const ctx = buildContext(doc, options.addressLock?.lock, options.templates);
    domains = ctx.domains.length;
    machines = ctx.machines.length;
    for (const [name, rule] of Object.entries(RULES)) {
      try {
        found.push(...rule(ctx));
      } catch (cause) {
        found.push({
          code: "PLB999",
          severity: "error",
          message: `rule ${name} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
          hint: "this is a bug in plumbline; please report it with the input that triggers it",
        });
      }
    }
  }
  const located = found.map((raw) => {
    const d =
      options.allowUnknownKeys && raw.code === "PLB106"
        ? { ...raw, severity: "warning" as const, message: `${raw.message} (ignored)` }
        : raw;
    const withLocation =
      d.location || d.path === undefined ? d : { ...d, location: loaded.locate(d.path, d.target) };
    return options.strict && withLocation.severity === "warning"
      ? { ...withLocation, severity: "error" as const }
      : withLocation;
  });
  const diagnostics = sortDiagnostics(located);
  const ok = doc !== undefined && !diagnostics.some((d) => d.severity === "error");
  return {
    ok,
    diagnostics,
    document: ok ? (doc as unknown as InfraDocument) : undefined,
    stats: { files: loaded.sources.length, domains, machines },
  };
}
