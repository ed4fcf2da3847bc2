// HTTP transports to the Incus API: a unix socket (node:http with socketPath) and remote HTTPS
// with a client certificate and a pinned server certificate (pinned-agent.ts). Both keep
// connections alive, bound the sockets in use, and turn socket failures into typed errors.

import type { IncomingHttpHeaders } from "node:http";
import http from "node:http";
import https from "node:https";
import { CertificateMismatchError, ConnectionError, IncusTimeoutError } from "./errors.js";
import { PinMismatch, PinnedAgent, type PinnedTlsOptions } from "./pinned-agent.js";

export interface HttpRequest {
  readonly method: string;
  /** Path with query, starting with `/1.0`. */
  readonly path: string;
  /** JSON-encoded when present. */
  readonly body?: unknown;
  /** Sent as it is (application/octet-stream) instead of a JSON body: the file API. */
  readonly rawBody?: Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
  /** Whole-request deadline (connect, send, read the full body). */
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpTransport {
  /** Where requests go, for messages: `unix:/var/lib/incus/unix.socket`, `https://host:8443`. */
  readonly target: string;
  request(request: HttpRequest): Promise<HttpResponse>;
  close(): void;
}

/** Answers larger than this are refused rather than buffered (a recursion=2 listing is far below). */
const MAX_BODY_BYTES = 256 * 1024 * 1024;
/** Concurrent connections per driver; callers bound their own concurrency below this. */
const MAX_SOCKETS = 16;

type RequestFn = typeof http.request;

function send(
  requestFn: RequestFn,
  base: http.RequestOptions,
  target: string,
  req: HttpRequest,
): Promise<HttpResponse> {
  const payload =
    req.rawBody !== undefined
      ? Buffer.from(req.rawBody)
      : req.body === undefined
        ? undefined
        : Buffer.from(JSON.stringify(req.body));
  const headers: Record<string, string> = { Accept: "application/json", ...req.headers };
  if (payload !== undefined) {
    headers["Content-Type"] =
      req.rawBody !== undefined ? "application/octet-stream" : "application/json";
    headers["Content-Length"] = String(payload.length);
  }
  const details = { method: req.method, endpoint: req.path };
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, res?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else if (res) resolve(res);
    };
    const request = requestFn({ ...base, method: req.method, path: req.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          request.destroy();
          finish(
            new ConnectionError(
              `answer larger than ${MAX_BODY_BYTES} bytes from ${target}`,
              details,
            ),
          );
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", (err) => finish(connectionError(err, target, details)));
      res.on("end", () =>
        finish(undefined, {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    const timer = setTimeout(() => {
      finish(
        new IncusTimeoutError(`no complete answer from ${target} within ${req.timeoutMs} ms`, {
          ...details,
          hint: "The daemon may be overloaded; the request may still take effect on the server.",
        }),
      );
      request.destroy();
    }, req.timeoutMs);
    request.on("error", (err) => finish(connectionError(err, target, details)));
    request.end(payload);
  });
}

function connectionError(
  err: Error,
  target: string,
  details: { method: string; endpoint: string },
): Error {
  if (err instanceof PinMismatch) {
    return new CertificateMismatchError(err.expected, err.actual, { ...details, cause: err });
  }
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === "ENOENT"
      ? "the socket does not exist"
      : code === "EACCES"
        ? "permission denied on the socket"
        : code === "ECONNREFUSED"
          ? "connection refused"
          : err.message;
  return new ConnectionError(`cannot reach Incus at ${target}: ${why}`, {
    ...details,
    cause: err,
    hint:
      code === "ENOENT" || code === "ECONNREFUSED"
        ? "Start the daemon (`scripts/incus-sandbox.sh up`) or set INCUS_SOCKET."
        : undefined,
  });
}

/** The local daemon over its unix socket (access to it means full admin rights). */
export class UnixSocketTransport implements HttpTransport {
  readonly target: string;
  readonly #agent: http.Agent;
  readonly #socketPath: string;

  constructor(socketPath: string) {
    this.#socketPath = socketPath;
    this.target = `unix:${socketPath}`;
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    return send(
      http.request,
      { socketPath: this.#socketPath, agent: this.#agent, host: "incus" },
      this.target,
      req,
    );
  }

  close(): void {
    this.#agent.destroy();
  }
}

export interface HttpsTransportOptions extends PinnedTlsOptions {
  /** `https://host:8443` (port defaults to 8443). */
  readonly url: string;
}

/** A remote Incus server (or cluster member) over TLS 1.3 with a pinned server certificate. */
export class HttpsTransport implements HttpTransport {
  readonly target: string;
  readonly #agent: PinnedAgent;
  readonly #host: string;
  readonly #port: number;

  constructor(options: HttpsTransportOptions) {
    const url = new URL(options.url);
    this.#host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    this.#port = url.port === "" ? 8443 : Number(url.port);
    this.target = `https://${url.host.includes(":") ? url.host : `${url.host}:${this.#port}`}`;
    this.#agent = new PinnedAgent(options, { keepAlive: true, maxSockets: MAX_SOCKETS });
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    return send(
      https.request,
      { host: this.#host, port: this.#port, agent: this.#agent },
      this.target,
      req,
    );
  }

  close(): void {
    this.#agent.destroy();
  }
}
