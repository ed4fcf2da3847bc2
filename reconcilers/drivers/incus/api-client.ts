// One Incus REST call: send, count, read the envelope, map errors to typed ones, and wait for
// async operations (202 → `/1.0/operations/<id>/wait`, whose failures arrive in a 200 body).
import {
  AlreadyExistsError,
  DriverError,
  type DriverErrorDetails,
  IncusTimeoutError,
  isAlreadyExistsText,
  NotFoundError,
  OperationFailedError,
  PreconditionFailedError,
  ProtocolError,
} from "./errors.js";
import type { HttpResponse, HttpTransport } from "./transport.js";
import type { Operation } from "./types.js";

export interface ApiClientOptions {
  /** Deadline for one plain API call. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Deadline for an async operation, across all its waits. Default 10 min. */
  readonly operationTimeoutMs?: number;
  /** Server-side wait per `/wait` call before it is re-issued. Default 30 s. */
  readonly waitChunkSeconds?: number;
}

/** The JSON envelope every Incus answer carries. */
interface Envelope {
  readonly type: "sync" | "async" | "error";
  readonly status_code: number;
  readonly operation: string;
  readonly error_code: number;
  readonly error: string;
  readonly metadata: unknown;
}

export interface CallOptions {
  readonly body?: unknown;
  /** Sent as `If-Match`; a mismatch raises PreconditionFailedError. */
  readonly etag?: string;
  /** Project the call concerns (passed to operation waits). */
  readonly project?: string;
  /** A raw body with its own headers instead of JSON (the instance file API). */
  readonly raw?: { readonly bytes: Uint8Array; readonly headers: Readonly<Record<string, string>> };
}

export interface CallResult {
  /** `metadata` of a sync answer, or the finished operation of an async one. */
  readonly metadata: unknown;
  /** ETag header without quotes ("" when none). */
  readonly etag: string;
  readonly status: number;
}

/** How the wait endpoint reports its own timeout (not the operation's failure). */
const WAIT_TIMEOUT_TEXT = "context deadline exceeded";

export class ApiClient {
  readonly transport: HttpTransport;
  readonly #requestTimeoutMs: number;
  readonly #operationTimeoutMs: number;
  readonly #waitChunkSeconds: number;
  #calls = 0;

  constructor(transport: HttpTransport, options: ApiClientOptions = {}) {
    this.transport = transport;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#operationTimeoutMs = options.operationTimeoutMs ?? 600_000;
    this.#waitChunkSeconds = Math.max(1, Math.floor(options.waitChunkSeconds ?? 30));
  }

  /** HTTP requests sent so far (each `/wait` counts). */
  get calls(): number {
    return this.#calls;
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
    const details = { method, endpoint: path };
    const res = await this.#send(method, path, options, this.#requestTimeoutMs);
    const envelope = parseEnvelope(res, details);
    if (envelope.type === "error" || res.status >= 400) {
      // Trust the HTTP status when it is an error; else the envelope's code (an error under 200).
      const status = res.status >= 400 ? res.status : envelope.error_code || res.status;
      throw errorFor(status, envelope.error, details);
    }
    if (envelope.type === "async") {
      const opPath = envelope.operation || String(res.headers.location ?? "");
      if (!opPath) throw new ProtocolError("async answer without an operation", details);
      const op = await this.waitOperation(opPath, options.project, details);
      return { metadata: op, etag: "", status: res.status };
    }
    return { metadata: envelope.metadata, etag: etagOf(res), status: res.status };
  }

  /**
   * Waits for an operation by `/1.0/operations/<id>` or id. Re-issues the wait while the server's
   * wait times out; raises on failure, cancellation, expiry (404) or the overall deadline.
   */
  async waitOperation(
    operation: string,
    project?: string,
    origin?: { method: string; endpoint: string },
  ): Promise<Operation> {
    const id = operation.replace(/[?#].*$/, "").replace(/^.*\//, "");
    const deadline = Date.now() + this.#operationTimeoutMs;
    for (;;) {
      const remainingMs = deadline - Date.now();
      const opDetails = { method: origin?.method ?? "GET", operation: id };
      if (remainingMs <= 0) {
        throw new IncusTimeoutError(
          `operation ${id} did not finish within ${this.#operationTimeoutMs} ms`,
          { ...opDetails, endpoint: origin?.endpoint ?? `/1.0/operations/${id}` },
        );
      }
      const seconds = Math.min(this.#waitChunkSeconds, Math.ceil(remainingMs / 1000));
      const query = new URLSearchParams({ timeout: String(seconds) });
      if (project !== undefined) query.set("project", project);
      const path = `/1.0/operations/${encodeURIComponent(id)}/wait?${query}`;
      const details = { method: "GET", endpoint: path };
      // The wait itself blocks up to `seconds`; allow that plus slack for the answer.
      const res = await this.#send("GET", path, {}, seconds * 1000 + this.#requestTimeoutMs);
      const envelope = parseEnvelope(res, details);
      const where: DriverErrorDetails = {
        ...opDetails,
        endpoint: origin?.endpoint ?? path,
        method: origin?.method ?? "GET",
      };
      if (res.status === 404) {
        throw new NotFoundError({ ...where, status: 404, incusError: envelope.error });
      }
      if (envelope.type === "error" || res.status >= 400) {
        if (envelope.error === WAIT_TIMEOUT_TEXT) continue;
        const status = envelope.error_code || res.status;
        if (isAlreadyExistsText(status, envelope.error)) {
          throw new AlreadyExistsError({ ...where, status, incusError: envelope.error });
        }
        throw new OperationFailedError({ ...where, status, incusError: envelope.error });
      }
      const op = envelope.metadata as Operation | null;
      if (op === null || typeof op !== "object" || typeof op.status !== "string") {
        throw new ProtocolError("operation wait answered without an operation", where);
      }
      if (op.status === "Success") return op;
      if (op.status === "Failure" || op.status === "Cancelled") {
        const text = op.err || op.status;
        if (isAlreadyExistsText(500, text)) {
          throw new AlreadyExistsError({ ...where, status: op.status_code, incusError: text });
        }
        throw new OperationFailedError({ ...where, status: op.status_code, incusError: text });
      }
      // Still running (a wait that returned early): wait again.
    }
  }

  async #send(
    method: string,
    path: string,
    options: CallOptions,
    timeoutMs: number,
  ): Promise<HttpResponse> {
    this.#calls++;
    const headers = {
      ...(options.etag === undefined ? {} : { "If-Match": `"${options.etag}"` }),
      ...options.raw?.headers,
    };
    return this.transport.request({
      method,
      path,
      timeoutMs,
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.raw === undefined ? {} : { rawBody: options.raw.bytes }),
      ...(Object.keys(headers).length === 0 ? {} : { headers }),
    });
  }
}

function parseEnvelope(res: HttpResponse, details: { method: string; endpoint: string }): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    throw new ProtocolError(`answer is not JSON (HTTP ${res.status})`, {
      ...details,
      status: res.status,
      incusError: res.body.slice(0, 200),
    });
  }
  if (parsed === null || typeof parsed !== "object" || !("type" in parsed)) {
    throw new ProtocolError(`answer is not an Incus response (HTTP ${res.status})`, {
      ...details,
      status: res.status,
    });
  }
  const e = parsed as Partial<Envelope>;
  if (e.type !== "sync" && e.type !== "async" && e.type !== "error") {
    throw new ProtocolError(`unknown response type ${JSON.stringify(e.type)}`, details);
  }
  return {
    type: e.type,
    status_code: Number(e.status_code ?? 0),
    operation: typeof e.operation === "string" ? e.operation : "",
    error_code: Number(e.error_code ?? 0),
    error: typeof e.error === "string" ? e.error : "",
    metadata: e.metadata ?? null,
  };
}

function errorFor(
  status: number,
  text: string,
  details: { method: string; endpoint: string },
): DriverError {
  const d = { ...details, status, incusError: text };
  if (status === 404) return new NotFoundError(d);
  if (status === 412) return new PreconditionFailedError(d);
  if (isAlreadyExistsText(status, text)) return new AlreadyExistsError(d);
  return new DriverError("PLB702", "Incus rejected the request", d);
}

function etagOf(res: HttpResponse): string {
  const raw = res.headers.etag;
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined ? "" : value.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}
