// Diagnostics: what validators return. Plain data, rendered by the CLI (human, JSON, GitHub).
import type { Code } from "./codes.js";

/** `note`: information only (e.g. a key plumb accepts but ignores); never promoted by --strict. */
export type Severity = "error" | "warning" | "note";
export type JsonPath = readonly (string | number)[];

export interface SourcePosition {
  /** Path of the file as the user should see it (relative to the repo root when possible). */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in characters. */
  readonly column: number;
  /** Length of the span to underline on `line` (at least 1). */
  readonly length?: number;
}

export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly hint?: string;
  /** Path in the merged infra document; resolved to a source position by the loader. */
  readonly path?: JsonPath;
  /** Point at the key of `path` (unknown key, bad name) rather than at its value. */
  readonly target?: "key" | "value";
  /** Set when the position is known directly (YAML syntax errors) or once `path` is resolved. */
  readonly location?: SourcePosition;
}

export function isError(d: Diagnostic): boolean {
  return d.severity === "error";
}

export function countBySeverity(ds: readonly Diagnostic[]): {
  errors: number;
  warnings: number;
  notes: number;
} {
  let errors = 0;
  let notes = 0;
  for (const d of ds) {
    if (d.severity === "error") errors++;
    else if (d.severity === "note") notes++;
  }
  return { errors, warnings: ds.length - errors - notes, notes };
}

/** Renders a JSON path as `domains.web.machines.web-1.ip` / `network_policies[2].ports`. */
export function formatPath(path: JsonPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Stable order: by file, line, column, then code (so output never depends on rule order). */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => {
    const fa = a.location?.file ?? "";
    const fb = b.location?.file ?? "";
    if (fa !== fb) return fa < fb ? -1 : 1;
    const la = a.location?.line ?? 0;
    const lb = b.location?.line ?? 0;
    if (la !== lb) return la - lb;
    const ca = a.location?.column ?? 0;
    const cb = b.location?.column ?? 0;
    if (ca !== cb) return ca - cb;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}
