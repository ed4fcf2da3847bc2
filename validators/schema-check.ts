// Structural validation: the JSON Schema compiled once with ajv, its errors turned into
// diagnostics with a code, a path and a hint.
import { createRequire } from "node:module";
import type { ErrorObject } from "ajv/dist/2020.js";
import type { Diagnostic, JsonPath } from "../core/diagnostics.js";
import { didYouMean } from "../core/suggest.js";
import { infraSchema } from "./infra-schema.js";

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
let compiled: Validate | undefined;

/** The options the validator is compiled with, here and in the build's precompiled copy. */
export const AJV_OPTIONS = {
  allErrors: true,
  strict: true,
  verbose: true,
  allowUnionTypes: true,
} as const;

const require = createRequire(import.meta.url);

/**
 * The build precompiles the schema (scripts/build-schema.mjs writes
 * dist/validators/infra-schema-validate.cjs), saving ~100 ms of ajv import and compile on
 * every run. Running from sources (tests) it is absent and the schema is compiled here.
 */
function validator(): Validate {
  if (compiled) return compiled;
  try {
    compiled = require("./infra-schema-validate.cjs") as Validate;
  } catch {
    const { Ajv2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
    compiled = new Ajv2020(AJV_OPTIONS).compile(infraSchema) as Validate;
  }
  return compiled;
}

export function checkSchema(doc: unknown): Diagnostic[] {
  const validate = validator();
  if (validate(doc)) return [];
  return schemaErrorsToDiagnostics(validate.errors ?? [], doc);
}

/** Maps ajv errors (allErrors + verbose) of any schema to diagnostics (used for templates too). */
export function schemaErrorsToDiagnostics(
  errors: readonly ErrorObject[],
  doc: unknown,
): Diagnostic[] {
  // A key failing `propertyNames` also yields the inner keyword's error (a pattern at the same
  // path); the propertyNames error alone reports it, as PLB201 at the key.
  const own = errors.filter((e) => !e.schemaPath.includes("/propertyNames/"));
  return collapseAnyOf(own).map((e) => toDiagnostic(e, doc));
}

/**
 * ajv reports every failing branch of an `anyOf`. Keep the branch matching the value's kind
 * (e.g. the array branch for `ports: [0]`), or one summary error when no branch fits.
 */
function collapseAnyOf(errors: ErrorObject[]): ErrorObject[] {
  const anyOfs = errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf");
  if (anyOfs.length === 0) return errors;
  const drop = new Set<ErrorObject>();
  const replace = new Map<ErrorObject, ErrorObject>();
  // ajv pushes a nested anyOf's errors before the enclosing one: walk outermost first, so an
  // outer branch kept whole does not bring back what an inner collapse drops.
  for (const a of [...anyOfs].reverse()) {
    if (drop.has(a)) continue; // inside a branch an enclosing anyOf already discarded
    const prefix = `${a.schemaPath}/`;
    const alternatives = (Array.isArray(a.schema) ? a.schema : []) as { $ref?: unknown }[];
    // Errors inside a `$ref` branch carry the referenced schema's path, not the anyOf's.
    const branchOf = (e: ErrorObject): string | undefined => {
      if (e === a || !e.instancePath.startsWith(a.instancePath)) return undefined;
      if (e.schemaPath.startsWith(prefix)) return e.schemaPath.slice(prefix.length).split("/")[0];
      const i = alternatives.findIndex(
        (b) => typeof b?.$ref === "string" && e.schemaPath.startsWith(`${b.$ref}/`),
      );
      return i === -1 ? undefined : String(i);
    };
    const branches = new Map<string, ErrorObject[]>();
    for (const e of errors) {
      const idx = branchOf(e);
      if (idx !== undefined) branches.set(idx, [...(branches.get(idx) ?? []), e]);
    }
    const mismatch = (errs: ErrorObject[], keywords: ReadonlySet<string>) =>
      errs.some((e) => e.instancePath === a.instancePath && keywords.has(e.keyword));
    // A branch "fits the kind" when none of its errors is a type/const mismatch at the value
    // itself; among several (one-key objects such as `{ port_free: 80 }`), the one whose key
    // matches.
    let fitting = [...branches.values()].filter((errs) => !mismatch(errs, TYPE_MISMATCH));
    if (fitting.length > 1) fitting = fitting.filter((errs) => !mismatch(errs, KEY_MISMATCH));
    for (const errs of branches.values()) for (const e of errs) drop.add(e);
    if (fitting.length === 1) {
      drop.add(a);
      for (const e of fitting[0] ?? []) drop.delete(e);
    } else if (alternatives.some((b) => typeof b?.$ref === "string")) {
      // Name a `$ref` alternative by the type its own errors expected (e.g. "a mapping").
      const named = alternatives.map((b, i) => {
        const t = branches
          .get(String(i))
          ?.find((e) => e.keyword === "type" && e.instancePath === a.instancePath);
        return typeof b?.$ref === "string" && t ? { type: t.params.type } : b;
      });
      replace.set(a, { ...a, schema: named });
    }
  }
  return errors.filter((e) => !drop.has(e)).map((e) => replace.get(e) ?? e);
}

const TYPE_MISMATCH: ReadonlySet<string> = new Set(["type", "const"]);
const KEY_MISMATCH: ReadonlySet<string> = new Set(["required", "additionalProperties"]);

function toPath(pointer: string, doc: unknown): JsonPath {
  if (pointer === "") return [];
  const out: (string | number)[] = [];
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(cur)) {
      const i = Number(seg);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(seg);
      cur =
        cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string")
    return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean (true/false)",
  null: "empty",
};

function typeHint(expected: string[], value: unknown): string | undefined {
  if (
    expected.includes("boolean") &&
    typeof value === "string" &&
    /^(yes|no|on|off|y|n)$/i.test(value)
  ) {
    return `YAML 1.2 reads '${value}' as a string: write ${/^(yes|on|y)$/i.test(value) ? "true" : "false"}`;
  }
  if (expected.includes("string") && (typeof value === "number" || typeof value === "boolean")) {
    return `quote it to make it a string: "${String(value)}"`;
  }
  if (
    (expected.includes("integer") || expected.includes("number")) &&
    typeof value === "string" &&
    /^-?\d+$/.test(value)
  ) {
    return `remove the quotes: ${value}`;
  }
  if (expected.includes("object") && value === null)
    return "give it at least one key, or remove it";
  return undefined;
}

function toDiagnostic(e: ErrorObject, doc: unknown): Diagnostic {
  const path = toPath(e.instancePath, doc);
  const last = path[path.length - 1];
  const where =
    path.length === 0
      ? "the document"
      : typeof last === "number"
        ? `'${String(path[path.length - 2])}[${last}]'`
        : `'${String(last)}'`;
  const value = e.data;
  switch (e.keyword) {
    case "required": {
      const key = (e.params as { missingProperty: string }).missingProperty;
      return {
        code: "PLB101",
        severity: "error",
        message: `missing required key '${key}'${path.length ? ` in ${where}` : ""}`,
        hint: `add '${key}:' (see docs/infra-reference.md)`,
        path,
        target: "key",
      };
    }
    case "additionalProperties": {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(
        (e.parentSchema as { properties?: object } | undefined)?.properties ?? {},
      );
      const suggestion = didYouMean(key, known);
      // An error by default: a typo (`typ: vm`) would otherwise silently change what is built.
      // validateInfra downgrades it to a warning under `allowUnknownKeys`.
      return {
        code: "PLB106",
        severity: "error",
        message: `unknown key '${key}'${path.length ? ` in ${where}` : ""}`,
        hint: suggestion ?? (known.length ? `known keys here: ${known.join(", ")}` : "remove it"),
        path: [...path, key],
        target: "key",
      };
    }
    case "type": {
      const t = (e.params as { type: string | string[] }).type;
      const expected = Array.isArray(t) ? t : [t];
      const hint = typeHint(expected, value);
      return {
        code: "PLB102",
        severity: "error",
        message: `${where} must be ${expected.map((x) => TYPE_NAMES[x] ?? x).join(" or ")}, not ${describe(value)}`,
        ...(hint ? { hint } : {}),
        path,
      };
    }
    case "enum":
    case "const": {
      const allowed: unknown[] =
        e.keyword === "enum"
          ? (e.params as { allowedValues: unknown[] }).allowedValues
          : [(e.params as { allowedValue: unknown }).allowedValue];
      const suggestion =
        typeof value === "string"
          ? didYouMean(
              value,
              allowed.filter((a): a is string => typeof a === "string"),
            )
          : undefined;
      return {
        code: "PLB103",
        severity: "error",
        message: `${where} is ${describe(value)}; allowed: ${allowed.map((a) => JSON.stringify(a)).join(", ")}`,
        hint: suggestion ?? `use one of: ${allowed.map((a) => String(a)).join(", ")}`,
        path,
      };
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const { comparison, limit } = e.params as { comparison: string; limit: number };
      return {
        code: "PLB104",
        severity: "error",
        message: `${where} is ${String(value)}; it must be ${comparison} ${limit}`,
        hint: rangeHint(e.parentSchema),
        path,
      };
    }
    case "pattern": {
      const pattern = (e.params as { pattern: string }).pattern;
      const description = (e.parentSchema as { description?: string } | undefined)?.description;
      return {
        code: "PLB105",
        severity: "error",
        message: `${where} ${describe(value)} does not have the expected form`,
        hint: description ?? `it must match ${pattern}`,
        path,
      };
    }
    case "propertyNames":
      return {
        code: "PLB201",
        severity: "error",
        message: `invalid name '${String((e.params as { propertyName: string }).propertyName)}'`,
        hint: "lowercase letters, digits and hyphens; start and end with a letter or digit",
        path: [...path, (e.params as { propertyName: string }).propertyName],
        target: "key",
      };
    case "anyOf":
    case "oneOf": {
      const alternatives = (
        (e.schema as { const?: unknown; type?: string; required?: string[] }[] | undefined) ?? []
      ).map((b) =>
        "const" in b
          ? JSON.stringify(b.const)
          : b.type === "object" && b.required?.length === 1
            ? `'${b.required[0]}: …'`
            : (TYPE_NAMES[b.type ?? ""] ?? b.type ?? "?"),
      );
      return {
        code: "PLB102",
        severity: "error",
        message: `${where} must be ${alternatives.join(" or ")}, not ${describe(value)}`,
        path,
      };
    }
    default:
      return {
        code: "PLB107",
        severity: "error",
        message: `${where} ${e.message ?? "is invalid"}`,
        path,
      };
  }
}

function rangeHint(schema: unknown): string {
  const s = (schema ?? {}) as { minimum?: number; maximum?: number; exclusiveMinimum?: number };
  if (s.minimum !== undefined && s.maximum !== undefined)
    return `use a value from ${s.minimum} to ${s.maximum}`;
  if (s.minimum !== undefined) return `use a value of at least ${s.minimum}`;
  if (s.exclusiveMinimum !== undefined) return `use a value greater than ${s.exclusiveMinimum}`;
  if (s.maximum !== undefined) return `use a value of at most ${s.maximum}`;
  return "see docs/infra-reference.md";
}
