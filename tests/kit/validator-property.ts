// Shared by the validator property suites: run counts and the well-formedness oracle.
import { expect } from "vitest";
import { CODES } from "../../core/codes.js";
import type { LoadedInfra } from "../../core/source/infra-source.js";
import { type ValidationResult, validateInfra } from "../../validators/validate.js";

// PROPERTY_RUNS=5000 for a deep run; the defaults keep the file to a few seconds.
export const SCALE = Number(process.env.PROPERTY_RUNS ?? 0) / 150 || 1;
export const RUNS = { numRuns: Math.round(150 * SCALE) };
export const ESTATE_RUNS = { numRuns: Math.round(100 * SCALE) };

/** Every diagnostic is well-formed and located; `ok` agrees with the errors. */
export function assertWellFormed(r: ValidationResult): void {
  for (const d of r.diagnostics) {
    expect(Object.hasOwn(CODES, d.code), d.code).toBe(true);
    expect(d.code, d.message).not.toBe("PLB999");
    expect(["error", "warning", "note"]).toContain(d.severity);
    expect(typeof d.message).toBe("string");
    expect(d.location?.line).toBeGreaterThanOrEqual(1);
    expect(d.location?.column).toBeGreaterThanOrEqual(1);
  }
  const errors = r.diagnostics.some((d) => d.severity === "error");
  expect(r.ok).toBe(!errors && r.document !== undefined);
}

export const check = (loaded: LoadedInfra, strict = false) => {
  const r = validateInfra(loaded, { strict });
  assertWellFormed(r);
  return r;
};
