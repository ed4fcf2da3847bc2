// Typed errors. The CLI's single error boundary turns them into exit codes; stack traces only
// with --debug. Each carries a stable code, who is at fault (user | internal), a hint and a cause.
import type { Code } from "./codes.js";
import type { Diagnostic } from "./diagnostics.js";

export const ExitCode = {
  ok: 0,
  error: 1,
  /** Changes present: `plan --detailed-exitcode` (Terraform convention). */
  changes: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

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
