// Typed errors. The CLI's single error boundary turns them into exit codes; stack traces only
// with --debug. Each carries a stable code, who is at fault (user | internal), a hint and a cause.
import type { Code } from "./codes.js";
import type { Diagnostic } from "./diagnostics.js";

/** Every exit code plumb uses, defined here only (README, `plumb --help` and docs list the same). */
export const ExitCode = {
  ok: 0,
  error: 1,
  /** Changes present (`plan --detailed-exitcode`, Terraform convention) or left (`apply`). */
  changes: 2,
  /** A saved plan no longer matches what it was made from. */
  stale: 3,
  /** The apply lock is held by another run. */
  locked: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What each exit code means, as `plumb --help` and the docs say it. */
export const EXIT_CODE_MEANING: Readonly<Record<ExitCode, string>> = {
  0: "success",
  1: "error (also `generate --check` finding stale files)",
  2: "changes present (`plan --detailed-exitcode`) or left after `apply`",
  3: "stale saved plan",
  4: "apply lock held",
};

export interface PlumbErrorOptions {
  readonly hint?: string;
  readonly cause?: unknown;
  readonly source?: "user" | "internal";
  readonly exitCode?: number;
}

export class PlumbError extends Error {
  readonly code: Code;
  readonly hint: string | undefined;
  readonly source: "user" | "internal";
  readonly exitCode: number;

  constructor(code: Code, message: string, options: PlumbErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PlumbError";
    this.code = code;
    this.hint = options.hint;
    this.source = options.source ?? "user";
    this.exitCode = options.exitCode ?? ExitCode.error;
  }
}

/** Bad command line. */
export class UsageError extends PlumbError {
  constructor(message: string, hint?: string) {
    super("PLB900", message, hint === undefined ? {} : { hint });
    this.name = "UsageError";
  }
}

/** The input failed validation; `diagnostics` holds every problem found, with positions. */
export class ValidationError extends PlumbError {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const first = diagnostics.find((d) => d.severity === "error") ?? diagnostics[0];
    super(first?.code ?? "PLB999", first?.message ?? "validation failed");
    this.name = "ValidationError";
    this.diagnostics = diagnostics;
  }
}

export function isPlumbError(e: unknown): e is PlumbError {
  return e instanceof PlumbError;
}
