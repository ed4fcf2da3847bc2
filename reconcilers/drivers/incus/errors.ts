// Typed failures of the Incus driver. Callers branch on the class (or `code`), never on text:
// NotFoundError → create, AlreadyExistsError → re-read and converge, PreconditionFailedError →
// re-read and re-diff.
import type { Code } from "../../../core/codes.js";
import { PlumbError } from "../../../core/errors.js";

export interface DriverErrorDetails {
  /** HTTP method of the failing call. */
  readonly method: string;
  /** Path and query of the failing call, e.g. `/1.0/instances/web?project=prod`. */
  readonly endpoint: string;
  /** HTTP status (or the `error_code` of a failed operation); absent when no answer came. */
  readonly status?: number;
  /** Incus's own error text, verbatim. */
  readonly incusError?: string;
  /** The operation that failed, for async calls. */
  readonly operation?: string;
  readonly hint?: string;
  readonly cause?: unknown;
}

export class DriverError extends PlumbError {
  readonly method: string;
  readonly endpoint: string;
  readonly status: number | undefined;
  readonly incusError: string | undefined;
  readonly operation: string | undefined;

  constructor(code: Code, message: string, details: DriverErrorDetails) {
    super(code, `${message} (${details.method} ${details.endpoint}${describe(details)})`, {
      source: code === "PLB709" ? "internal" : "user",
      ...(details.hint === undefined ? {} : { hint: details.hint }),
      ...(details.cause === undefined ? {} : { cause: details.cause }),
    });
    this.name = "DriverError";
    this.method = details.method;
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.incusError = details.incusError;
    this.operation = details.operation;
  }
}

function describe(d: DriverErrorDetails): string {
  const parts: string[] = [];
  if (d.status !== undefined) parts.push(`status ${d.status}`);
  if (d.incusError) parts.push(`incus: ${d.incusError}`);
  return parts.length === 0 ? "" : `: ${parts.join(", ")}`;
}

/** HTTP 404: the object (or operation) does not exist. */
export class NotFoundError extends DriverError {
  constructor(details: DriverErrorDetails) {
    super("PLB703", "Incus object not found", details);
    this.name = "NotFoundError";
  }
}

/** A create hit an existing object: 409, or 500 "already exists"/UNIQUE (also inside an operation). */
export class AlreadyExistsError extends DriverError {
  constructor(details: DriverErrorDetails) {
    super("PLB704", "Incus object already exists", details);
    this.name = "AlreadyExistsError";
  }
}

/** HTTP 412: the If-Match ETag is stale. Re-read, re-diff, retry. */
export class PreconditionFailedError extends DriverError {
  constructor(details: DriverErrorDetails) {
    super("PLB705", "object changed since it was read (ETag mismatch)", details);
    this.name = "PreconditionFailedError";
  }
}

/** An async operation finished with an error (reported in the 200 `/wait` body). */
export class OperationFailedError extends DriverError {
  constructor(details: DriverErrorDetails) {
    super("PLB706", "Incus operation failed", details);
    this.name = "OperationFailedError";
  }
}

export class IncusTimeoutError extends DriverError {
  constructor(message: string, details: DriverErrorDetails) {
    super("PLB707", message, details);
    this.name = "IncusTimeoutError";
  }
}

/** No answer at all: socket missing, connection refused or reset, TLS handshake failure. */
export class ConnectionError extends DriverError {
  constructor(message: string, details: DriverErrorDetails) {
    super("PLB701", message, details);
    this.name = "ConnectionError";
  }
}

/** The remote's certificate is not the pinned one; nothing was sent over that connection. */
export class CertificateMismatchError extends DriverError {
  readonly expected: string;
  readonly actual: string;

  constructor(expected: string, actual: string, details: DriverErrorDetails) {
    super(
      "PLB708",
      `server certificate fingerprint ${actual || "(none)"} does not match the pinned ${expected}`,
      details,
    );
    this.name = "CertificateMismatchError";
    this.expected = expected;
    this.actual = actual;
  }
}

/** Incus answered something unreadable (not JSON, wrong envelope). */
export class ProtocolError extends DriverError {
  constructor(message: string, details: DriverErrorDetails) {
    super("PLB709", message, details);
    this.name = "ProtocolError";
  }
}

/** Bad connection settings (remote without certificate, malformed fingerprint, …). */
export class ConnectionSettingsError extends PlumbError {
  constructor(message: string) {
    super("PLB710", message);
    this.name = "ConnectionSettingsError";
  }
}

/**
 * Incus reports some duplicates as HTTP 500 with a message (projects, profiles, instances and
 * snapshots inside their operation). This is the one place that reads error text for that.
 */
export function isAlreadyExistsText(status: number, text: string): boolean {
  if (status === 409) return true;
  // Network ACLs answer a duplicate with 400 "The network ACL already exists" (Incus 6.0.4).
  return (
    (status === 500 || status === 400) && /already exists|UNIQUE constraint failed/i.test(text)
  );
}
