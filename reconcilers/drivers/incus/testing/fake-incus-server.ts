// A fake Incus daemon for unit tests: real HTTP on a unix socket (or TLS on loopback), answering
// like Incus 6.0.4 does, quirks included: 201 on create, async 202 + `/wait` with
// errors inside a 200 body, duplicates as 500 (409 for networks), 412 on a stale If-Match,
// `200 []` for instances of an unknown project, operations forgotten after they finish.
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeOperation, FakeOperations } from "./fake-operations.js";
import { envelopeError, errorReply, FakeStore, type Reply } from "./fake-store.js";

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

/** A raw answer that replaces the fake's own (to reproduce odd servers). */
export interface CannedResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
  /** Answer only after this long (to provoke client timeouts). */
  readonly delayMs?: number;
}

export type Listen =
  | { readonly kind: "unix" }
  | { readonly kind: "tls"; readonly cert: string; readonly key: string };

export class FakeIncusServer {
  readonly requests: LoggedRequest[] = [];
  readonly operations = new FakeOperations();
  readonly store: FakeStore;
  /** Return a canned answer for a request, or undefined to let the fake answer. */
  intercept: ((req: LoggedRequest) => CannedResponse | undefined) | undefined;
  /** Client certificates' SHA-256 fingerprints seen on TLS connections. */
  readonly clientFingerprints: string[] = [];
  socketPath = "";
  port = 0;
  readonly #server: http.Server;
  readonly #dir: string | undefined;

  private constructor(listen: Listen) {
    this.store = new FakeStore(this.operations);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      });
    };
    if (listen.kind === "tls") {
      this.#server = https.createServer(
        { cert: listen.cert, key: listen.key, requestCert: true, rejectUnauthorized: false },
        handler,
      );
      this.#server.on("secureConnection", (socket) => {
        const fp = socket.getPeerCertificate().fingerprint256;
        if (fp) this.clientFingerprints.push(fp.replace(/:/g, "").toLowerCase());
      });
    } else {
      this.#dir = mkdtempSync(join(tmpdir(), "plumb-fake-incus-"));
      this.socketPath = join(this.#dir, "unix.socket");
      this.#server = http.createServer(handler);
    }
  }

  static async start(listen: Listen = { kind: "unix" }): Promise<FakeIncusServer> {
    const fake = new FakeIncusServer(listen);
    await new Promise<void>((resolve, reject) => {
      fake.#server.once("error", reject);
      if (listen.kind === "tls") {
        fake.#server.listen(0, "127.0.0.1", () => resolve());
      } else {
        fake.#server.listen(fake.socketPath, () => resolve());
      }
    });
    if (listen.kind === "tls") fake.port = (fake.#server.address() as AddressInfo).port;
    return fake;
  }

  /** Requests whose method and path (without query) match. */
  count(method: string, pathPrefix: string): number {
    return this.requests.filter(
      (r) => r.method === method && r.path.split("?")[0]?.startsWith(pathPrefix),
    ).length;
  }

  async close(): Promise<void> {
    this.operations.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      reply(res, errorReply(400, "Failed to parse request body"));
      return;
    }
    const logged = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: req.headers,
      body,
    };
    this.requests.push(logged);
    const canned = this.intercept?.(logged);
    if (canned) {
      if (canned.delayMs) await new Promise((r) => setTimeout(r, canned.delayMs));
      if (res.destroyed) return;
      res.writeHead(canned.status, { "Content-Type": "application/json", ...canned.headers });
      res.end(canned.body);
      return;
    }
    const url = new URL(logged.path, "http://incus");
    const waitMatch = /^\/1\.0\/operations\/([^/]+)\/wait$/.exec(url.pathname);
    if (waitMatch?.[1] && logged.method === "GET") {
      await this.#wait(decodeURIComponent(waitMatch[1]), url, res);
      return;
    }
    const ifMatch = req.headers["if-match"];
    const out = this.store.route(logged.method, url, body, ifMatch?.replace(/^"(.*)"$/, "$1"));
    reply(res, out);
  }

  /** `/wait`: headers flushed at once with 200; the outcome is in the body. */
  async #wait(id: string, url: URL, res: http.ServerResponse): Promise<void> {
    const op = this.operations.get(id);
    if (!op) {
      reply(res, errorReply(404, "Operation not found"));
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.flushHeaders();
    const seconds = Number(url.searchParams.get("timeout") ?? "-1");
    const done = await this.operations.wait(op, seconds < 0 ? 2 ** 31 - 1 : seconds * 1000);
    res.end(JSON.stringify(done ? waitBody(this.operations, op) : envelopeError(500, DEADLINE)));
  }
}

export const DEADLINE = "context deadline exceeded";

/** The body `/wait` answers once the operation is done (failures inside a 200 body). */
export function waitBody(ops: FakeOperations, op: FakeOperation): Record<string, unknown> {
  if (op.status === "Failure") return envelopeError(op.errorCode, op.err);
  return {
    type: "sync",
    status: "Success",
    status_code: 200,
    operation: "",
    error_code: 0,
    error: "",
    metadata: ops.json(op),
  };
}

function reply(res: http.ServerResponse, out: Reply): void {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (out.etag !== undefined) headers.Etag = `"${out.etag}"`;
  if (out.location !== undefined) headers.Location = out.location;
  res.writeHead(out.status, headers);
  res.end(JSON.stringify(out.body));
}
