// IncusApiDriver against the fake Incus (real HTTP on a unix socket in a temp dir): the shared
// conformance suite, then the daemon's quirks one by one (a project PATCH dropping config; 200 [] for a missing project).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { incusDriverConformance } from "../../../tests/integration/incus-driver-conformance.js";
import { connectIncus } from "./connect.js";
import {
  AlreadyExistsError,
  ConnectionError,
  DriverError,
  IncusTimeoutError,
  NotFoundError,
  OperationFailedError,
  PreconditionFailedError,
  ProtocolError,
} from "./errors.js";
import type { IncusApiDriver } from "./incus-api-driver.js";
import { FakeIncusServer } from "./testing/fake-incus-server.js";

const envelope = (over: Record<string, unknown>) =>
  JSON.stringify({
    type: "sync",
    status: "Success",
    status_code: 200,
    operation: "",
    error_code: 0,
    error: "",
    metadata: null,
    ...over,
  });

describe("IncusApiDriver conformance on the fake Incus", () => {
  let fake: FakeIncusServer;
  let driver: IncusApiDriver;
  beforeAll(async () => {
    fake = await FakeIncusServer.start();
    driver = connectIncus({ kind: "unix", socketPath: fake.socketPath });
  });
  afterAll(async () => {
    driver.close();
    await fake.close();
  });
  incusDriverConformance(() => ({ driver, image: "plumb-busybox" }));
});

describe("IncusApiDriver quirks (fake Incus)", () => {
  let fake: FakeIncusServer;
  let driver: IncusApiDriver;
  beforeEach(async () => {
    fake = await FakeIncusServer.start();
    driver = connectIncus({ kind: "unix", socketPath: fake.socketPath }, { waitChunkSeconds: 1 });
  });
  afterEach(async () => {
    driver.close();
    await fake.close();
  });

  it("treats 201 Created (with Location) as success, sending one POST", async () => {
    await driver.createProject({ name: "p1", config: {} });
    expect(fake.count("POST", "/1.0/projects")).toBe(1);
    expect(driver.apiCalls()).toBe(1);
    expect((await driver.getProject("p1")).value.name).toBe("p1");
  });

  it("waits for async operations: POST (202) then /wait, two calls, project passed along", async () => {
    await driver.createInstance("default", {
      name: "c1",
      source: { type: "image", alias: "plumb-busybox" },
    });
    expect(driver.apiCalls()).toBe(2);
    const wait = fake.requests.find((r) => r.path.includes("/wait"));
    expect(wait?.path).toMatch(
      /^\/1\.0\/operations\/[0-9a-f-]{36}\/wait\?timeout=1&project=default$/,
    );
    expect(fake.requests[0]?.body).toMatchObject({
      name: "c1",
      type: "container",
      source: { type: "image", alias: "plumb-busybox" },
      start: false,
    });
  });

  it("re-issues the wait while Incus answers 'context deadline exceeded'", async () => {
    fake.operations.delayMs = 1500;
    await driver.createInstance("default", {
      name: "slow",
      source: { type: "image", alias: "plumb-busybox" },
    });
    expect(fake.count("GET", "/1.0/operations/")).toBe(2);
    expect((await driver.getInstance("default", "slow")).value.status).toBe("Stopped");
  });

  it("surfaces an operation failure reported inside a 200 /wait body, with its error_code", async () => {
    await driver.createInstance("default", {
      name: "c1",
      source: { type: "image", alias: "plumb-busybox" },
    });
    const err = await driver.setInstanceState("default", "c1", "restart").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationFailedError);
    const e = err as OperationFailedError;
    expect(e.code).toBe("PLB706");
    expect(e.status).toBe(400);
    expect(e.incusError).toBe("The instance isn't running");
    expect(e.method).toBe("PUT");
    expect(e.endpoint).toBe("/1.0/instances/c1/state?project=default");
    expect(e.operation).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("maps duplicates to AlreadyExistsError: 500 UNIQUE (sync), 409, and 500 inside an operation", async () => {
    await driver.createProject({ name: "dup", config: {} });
    const sync500 = await driver
      .createProject({ name: "dup", config: {} })
      .catch((e: unknown) => e);
    expect(sync500).toBeInstanceOf(AlreadyExistsError);
    expect((sync500 as AlreadyExistsError).status).toBe(500);
    await driver.createNetwork("default", { name: "n1", config: {} });
    const conflict = await driver
      .createNetwork("default", { name: "n1", config: {} })
      .catch((e: unknown) => e);
    expect((conflict as AlreadyExistsError).status).toBe(409);
    const src = { type: "image" as const, alias: "plumb-busybox" };
    await driver.createInstance("default", { name: "c1", source: src });
    const inOp = await driver
      .createInstance("default", { name: "c1", source: src })
      .catch((e: unknown) => e);
    expect(inOp).toBeInstanceOf(AlreadyExistsError);
    expect((inOp as AlreadyExistsError).incusError).toMatch(/UNIQUE constraint failed/);
  });

  it("sends If-Match quoted with the ETag from GET; 412 becomes PreconditionFailedError", async () => {
    const got = await driver.getProfile("default", "default");
    await driver.updateProfile(
      "default",
      "default",
      { config: { "user.a": "1" }, devices: {} },
      got.etag,
    );
    const put = fake.requests.find((r) => r.method === "PUT");
    expect(put?.headers["if-match"]).toBe(`"${got.etag}"`);
    const err = await driver
      .updateProfile("default", "default", { config: {}, devices: {} }, got.etag)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreconditionFailedError);
    expect((err as PreconditionFailedError).incusError).toMatch(/^ETag doesn't match/);
  });

  it("updates projects with PUT (never PATCH, whose config merge is broken in 6.0.4)", async () => {
    await driver.createProject({ name: "p", config: { "features.profiles": "true" } });
    const got = await driver.getProject("p");
    await driver.updateProject("p", { config: { ...got.value.config, "user.x": "1" } }, got.etag);
    expect(fake.count("PATCH", "/1.0/projects")).toBe(0);
    expect(fake.count("PUT", "/1.0/projects/p")).toBe(1);
  });

  it("an operation forgotten by the server (finished > expiry ago) is NotFound", async () => {
    fake.operations.expiryMs = 10;
    const op = fake.operations.start("done", {}, () => {});
    await op.done;
    await new Promise((r) => setTimeout(r, 50));
    const err = await driver.waitOperation(`/1.0/operations/${op.id}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).operation).toBe(op.id);
  });

  it("gives up on an operation after the overall deadline (PLB707)", async () => {
    const impatient = connectIncus(
      { kind: "unix", socketPath: fake.socketPath },
      { waitChunkSeconds: 1, operationTimeoutMs: 300 },
    );
    fake.operations.delayMs = 3000;
    try {
      const err = await impatient
        .createInstance("default", {
          name: "late",
          source: { type: "image", alias: "plumb-busybox" },
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IncusTimeoutError);
      expect((err as IncusTimeoutError).code).toBe("PLB707");
    } finally {
      impatient.close();
    }
  });

  it("times out a request that gets no answer", async () => {
    const impatient = connectIncus(
      { kind: "unix", socketPath: fake.socketPath },
      { requestTimeoutMs: 200 },
    );
    fake.intercept = () => ({ status: 200, body: envelope({ metadata: [] }), delayMs: 1000 });
    try {
      const err = await impatient.listProjects().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IncusTimeoutError);
      expect((err as IncusTimeoutError).endpoint).toBe("/1.0/projects?recursion=1");
    } finally {
      impatient.close();
    }
  });

  it("rejects answers that are not Incus JSON (PLB709)", async () => {
    fake.intercept = () => ({ status: 200, body: "<html>proxy</html>" });
    const err = await driver.listProjects().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe("PLB709");
  });

  it("keeps the Incus error text verbatim; a 500 that is not a duplicate is not a conflict", async () => {
    fake.intercept = () => ({
      status: 500,
      body: envelope({
        type: "error",
        error_code: 500,
        error: "Invalid config: Unknown configuration key: bogus.key",
      }),
    });
    const err = await driver
      .createProfile("default", { name: "x", config: { "bogus.key": "1" }, devices: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err).not.toBeInstanceOf(AlreadyExistsError);
    expect((err as DriverError).code).toBe("PLB702");
    expect((err as DriverError).incusError).toBe(
      "Invalid config: Unknown configuration key: bogus.key",
    );
    expect((err as DriverError).message).toContain("POST /1.0/profiles?project=default");
  });

  it("reads an error envelope even when the HTTP status says 200", async () => {
    fake.intercept = () => ({
      status: 200,
      body: envelope({ type: "error", error_code: 403, error: "not authorized" }),
    });
    const err = await driver.listProjects().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as DriverError).status).toBe(403);
  });

  it("an instance PUT that drops volatile idmap keys fails inside the operation", async () => {
    await driver.createInstance("default", {
      name: "c1",
      source: { type: "image", alias: "plumb-busybox" },
    });
    const got = await driver.getInstance("default", "c1");
    const err = await driver
      .updateInstance(
        "default",
        "c1",
        { config: { "user.x": "1" }, devices: {}, profiles: ["default"] },
        got.etag,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationFailedError);
    expect((err as OperationFailedError).incusError).toMatch(/Volatile idmap keys/);
  });

  it("lists instances with state and snapshots in one recursion=2 call", async () => {
    await driver.createInstance("default", {
      name: "c1",
      source: { type: "image", alias: "plumb-busybox" },
      start: true,
    });
    const before = driver.apiCalls();
    const [c1] = await driver.listInstances("default", { withState: true });
    expect(driver.apiCalls() - before).toBe(1);
    expect(fake.requests.at(-1)?.path).toBe("/1.0/instances?project=default&recursion=2");
    expect(c1?.state?.status).toBe("Running");
  });
});

describe("IncusApiDriver without a daemon", () => {
  it("reports a missing socket as ConnectionError (PLB701) with a hint", async () => {
    const driver = connectIncus({ kind: "unix", socketPath: "/nonexistent/plumb/unix.socket" });
    const err = await driver.listProjects().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).code).toBe("PLB701");
    expect((err as ConnectionError).hint).toMatch(/incus-sandbox\.sh up/);
    driver.close();
  });
});
