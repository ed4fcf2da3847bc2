// The fake Incus without a socket: an HttpTransport that hands each request straight to the
// fake's store and operations, so a real IncusApiDriver runs in-process (property tests run
// thousands of plans). Same answers as FakeIncusServer, byte for byte, minus HTTP.
import type { HttpRequest, HttpResponse, HttpTransport } from "../transport.js";
import { DEADLINE, waitBody } from "./fake-incus-server.js";
import { FakeOperations } from "./fake-operations.js";
import { envelopeError, errorReply, FakeStore, type Reply } from "./fake-store.js";

export class MemoryTransport implements HttpTransport {
  readonly target = "memory:";
  readonly operations: FakeOperations;
  readonly store: FakeStore;

  constructor(operations = new FakeOperations()) {
    this.operations = operations;
    this.store = new FakeStore(operations);
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.path, "http://incus");
    const waitMatch = /^\/1\.0\/operations\/([^/]+)\/wait$/.exec(url.pathname);
    if (waitMatch?.[1] && req.method === "GET") {
      const op = this.operations.get(decodeURIComponent(waitMatch[1]));
      if (!op) return response(errorReply(404, "Operation not found"));
      const seconds = Number(url.searchParams.get("timeout") ?? "-1");
      const done = await this.operations.wait(op, seconds < 0 ? 2 ** 31 - 1 : seconds * 1000);
      const body = done ? waitBody(this.operations, op) : envelopeError(500, DEADLINE);
      return { status: 200, headers: {}, body: JSON.stringify(body) };
    }
    // The body goes through JSON like on the wire: the store never shares the caller's objects.
    const body = req.body === undefined ? undefined : JSON.parse(JSON.stringify(req.body));
    const ifMatch = req.headers?.["If-Match"] ?? req.headers?.["if-match"];
    return response(this.store.route(req.method, url, body, ifMatch?.replace(/^"(.*)"$/, "$1")));
  }

  close(): void {
    this.operations.close();
  }
}

function response(out: Reply): HttpResponse {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (out.etag !== undefined) headers.etag = `"${out.etag}"`;
  if (out.location !== undefined) headers.location = out.location;
  return { status: out.status, headers, body: JSON.stringify(out.body) };
}
