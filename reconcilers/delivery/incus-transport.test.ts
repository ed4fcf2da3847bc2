// The Incus transport's file API calls against a scripted API client: a request that races the
// exit of Incus's per-instance file server (500 "forkfile.sock: connection reset by peer") is
// sent once more; any other failure is not retried.
import { describe, expect, it } from "vitest";
import type { ApiClient } from "../drivers/incus/api-client.js";
import { DriverError } from "../drivers/incus/errors.js";
import { IncusTransport } from "./incus-transport.js";

function scripted(failures: DriverError[]) {
  const calls: string[] = [];
  const api = {
    call: async (method: string, path: string) => {
      calls.push(`${method} ${path}`);
      const next = failures.shift();
      if (next) throw next;
      return { metadata: {}, etag: undefined };
    },
  } as unknown as ApiClient;
  return { calls, t: new IncusTransport({ api, project: "p", instance: "c1" }) };
}

const error = (status: number, incusError: string) =>
  new DriverError("PLB702", "Incus rejected the request", {
    method: "POST",
    endpoint: "/1.0/instances/c1/files",
    status,
    incusError,
  });
const RESET = "read unix @->/proc/self/fd/104/forkfile.sock: read: connection reset by peer";

describe("IncusTransport file API", () => {
  it("retries a directory or file write once when the file server went away under it", async () => {
    const dir = scripted([error(500, RESET)]);
    await dir.t.makeDir("/var/lib/plumb/run/b.1", "0700");
    expect(dir.calls).toHaveLength(2);
    const file = scripted([error(500, RESET)]);
    await file.t.put("/var/lib/plumb/run/b.1/x", new Uint8Array([1]), "0600", { fresh: true });
    expect(file.calls).toHaveLength(2);
  });

  it("does not retry twice, nor any other error", async () => {
    const twice = scripted([error(500, RESET), error(500, RESET)]);
    await expect(twice.t.makeDir("/d", "0700")).rejects.toThrow(/forkfile/);
    expect(twice.calls).toHaveLength(2);
    const other = scripted([error(500, "disk full")]);
    await expect(other.t.makeDir("/d", "0700")).rejects.toThrow(/disk full/);
    expect(other.calls).toHaveLength(1);
  });
});
