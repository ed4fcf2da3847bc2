// The whole apply (lock, stale check, snapshots, waves, verification) through the real driver
// against the fake Incus: what it sends, what it refuses, and that a re-plan finds nothing.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NO_GIT } from "../../core/io/git.js";
import type { PreApplyRecord } from "../../core/io/plumb-state.js";
import type { Estate } from "../../core/model/estate.js";
import { connectIncus } from "../drivers/incus/connect.js";
import type { IncusApiDriver } from "../drivers/incus/incus-api-driver.js";
import { FakeIncusServer } from "../drivers/incus/testing/fake-incus-server.js";
import { IncusLock, type LockEnv, LockHeldError } from "../lock/incus-lock.js";
import { isActionable } from "../model.js";
import { makePlan } from "../plan/make-plan.js";
import { estateFromYaml } from "../testing/estate-kit.js";
import { type ApplyOptions, runApply } from "./run-apply.js";
import { StalePlanError } from "./stale.js";

const ESTATE = `
project_name: lab
global: {addressing: {base_octet: 10}, default_os_image: images:debian/13}
domains:
  web:
    profiles: {tuned: {config: {limits.memory: 1GiB}}}
    machines:
      w1: {config: {limits.cpu: "1"}}
      w2: {profiles: [default, tuned]}
  data:
    machines:
      db: {}
`;

const env = (over: Partial<LockEnv> = {}): LockEnv => ({
  host: "test-host",
  pid: 4242,
  now: () => new Date(),
  processStart: (pid) => (pid === 4242 ? "100" : undefined),
  ...over,
});

const OPTIONS: ApplyOptions = {
  allowRestart: false,
  snapshot: true,
  keep: 3,
  concurrency: 4,
  stopTimeout: 5,
  leaseMs: 30_000,
};

describe("runApply on the fake Incus", () => {
  let fake: FakeIncusServer;
  let d: IncusApiDriver;
  let records: PreApplyRecord[];
  let journal: string[];

  beforeEach(async () => {
    fake = await FakeIncusServer.start();
    d = connectIncus({ kind: "unix", socketPath: fake.socketPath }, { waitChunkSeconds: 1 });
    records = [];
    journal = [];
  });
  afterEach(async () => {
    d.close();
    await fake.close();
  });

  const plan = async (estate: Estate) =>
    (
      await makePlan({
        estate,
        autoCleanup: false,
        settings: {
          bridgeAddresses: "none",
          storagePool: "default",
          imageMap: { "images:debian/13": "plumb-busybox" },
          remotes: {},
        },
        driver: d,
        target: d.target,
        git: NO_GIT,
        toolVersion: "test",
        now: new Date(),
      })
    ).plan;

  const apply = (
    p: Awaited<ReturnType<typeof plan>>,
    options: Partial<ApplyOptions> = {},
    lockEnv = env(),
  ) =>
    runApply({
      plan: p,
      driver: d,
      target: d.target,
      options: { ...OPTIONS, ...options },
      run: `run-${Math.random()}`,
      command: "plumb apply",
      lockEnv,
      timestamp: "20260101-000000",
      recordSnapshots: async (r) => void records.push(r),
      journal: (type) => void journal.push(type),
    });

  it("creates the estate; a re-plan has nothing left; the lock is released", async () => {
    const estate = estateFromYaml(ESTATE);
    const first = await plan(estate);
    expect(first.summary.create).toBe(10);
    const report = await apply(first);
    expect(report.results.every((r) => r.status === "done")).toBe(true);
    expect(report.unconverged).toEqual([]);
    expect((await plan(estate)).changes).toEqual([]);
    expect((await d.getProject("default")).value.config["user.plumb.lock"]).toBeUndefined();
    expect(journal[0]).toBe("locked");
    expect(journal.at(-1)).toBe("unlocked");
    // Nothing existed before: no pre-apply snapshot.
    expect(records).toEqual([]);
  });

  it("runs the contract phase under the lock after the changes, and only when they all succeeded", async () => {
    const estate = estateFromYaml(ESTATE);
    let lockHeld: string | undefined;
    const report = await runApply({
      plan: await plan(estate),
      driver: d,
      target: d.target,
      options: OPTIONS,
      run: "run-contracts",
      command: "plumb apply",
      lockEnv: env(),
      timestamp: "20260101-000000",
      recordSnapshots: async () => undefined,
      journal: (type) => void journal.push(type),
      afterChanges: async () => {
        lockHeld = (await d.getProject("default")).value.config["user.plumb.lock"];
      },
    });
    expect(report.results.every((r) => r.status === "done")).toBe(true);
    expect(lockHeld).toContain("run-contracts");
    expect(journal.indexOf("contracts-start")).toBeGreaterThan(journal.indexOf("locked"));
    expect(journal.indexOf("contracts-end")).toBeLessThan(journal.indexOf("unlocked"));
  });

  it("skips the contract phase when a change failed", async () => {
    fake.intercept = (r) =>
      r.method === "POST" &&
      r.path.startsWith("/1.0/projects") &&
      (r.body as { name?: string }).name === "data"
        ? {
            status: 500,
            body: JSON.stringify({
              type: "error",
              error_code: 500,
              error: "disk full",
              status_code: 0,
              operation: "",
              status: "",
              metadata: null,
            }),
          }
        : undefined;
    let ran = false;
    const report = await runApply({
      plan: await plan(estateFromYaml(ESTATE)),
      driver: d,
      target: d.target,
      options: OPTIONS,
      run: "run-fail",
      command: "plumb apply",
      lockEnv: env(),
      timestamp: "20260101-000000",
      recordSnapshots: async () => undefined,
      journal: () => undefined,
      afterChanges: async () => {
        ran = true;
      },
    });
    expect(report.results.some((r) => r.status === "failed")).toBe(true);
    expect(ran).toBe(false);
  });

  it("snapshots the instances an update touches, then updates them", async () => {
    const estate = estateFromYaml(ESTATE);
    await apply(await plan(estate));
    const changed = await plan(
      estateFromYaml(ESTATE.replace("limits.memory: 1GiB", "limits.memory: 2GiB")),
    );
    expect(changed.changes.map((c) => c.id)).toEqual(["profile:web/tuned"]);
    const report = await apply(changed);
    expect(report.snapshot).toBe("pre-apply-20260101-000000");
    expect(records[0]?.instances.map((i) => i.name)).toEqual(["w2"]);
    expect((await d.listSnapshots("web", "w2")).map((s) => s.name)).toEqual([
      "pre-apply-20260101-000000",
    ]);
    expect((await d.getProfile("web", "tuned")).value.config["limits.memory"]).toBe("2GiB");
  });

  it("refuses a stale plan before the first change (exit code 3)", async () => {
    const estate = estateFromYaml(ESTATE);
    await apply(await plan(estate));
    const saved = await plan(estateFromYaml(ESTATE.replace('limits.cpu: "1"', 'limits.cpu: "2"')));
    // Someone edits w1 after the plan was made.
    const { value, etag } = await d.getInstance("web", "w1");
    await d.updateInstance(
      "web",
      "w1",
      { ...value, config: { ...value.config, "limits.memory": "3GiB" } },
      etag,
    );
    const writesBefore = fake.requests.filter(
      (r) => r.method !== "GET" && !r.path.startsWith("/1.0/projects/default"),
    ).length;
    const err = await apply(saved).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StalePlanError);
    expect((err as StalePlanError).exitCode).toBe(3);
    expect((err as StalePlanError).moved).toEqual(["instance:web/w1"]);
    const writesAfter = fake.requests.filter(
      (r) => r.method !== "GET" && !r.path.startsWith("/1.0/projects/default"),
    ).length;
    expect(writesAfter).toBe(writesBefore);
    expect((await d.getInstance("web", "w1")).value.config["limits.cpu"]).toBe("1");
  });

  it("a held lock stops a second apply (exit 4) naming the holder; a dead holder's lock is taken over", async () => {
    const estate = estateFromYaml(ESTATE);
    const other = await IncusLock.acquire(d, {
      owner: "lab",
      run: "other-run",
      command: "plumb apply",
      leaseMs: 60_000,
      env: env({ pid: 7, processStart: () => "9" }),
    });
    const alive = env({
      processStart: (pid) => (pid === 4242 ? "100" : pid === 7 ? "9" : undefined),
    });
    const err = await apply(await plan(estate), {}, alive).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as LockHeldError).exitCode).toBe(4);
    expect((err as LockHeldError).message).toMatch(/run other-run, pid 7 on test-host/);
    // The holder process is gone (same host, no such pid): its lock is stale.
    const report = await apply(await plan(estate), {}, env());
    expect(report.results.every((r) => r.status === "done")).toBe(true);
    await other.release(); // not ours any more: a no-op
    expect((await d.getProject("default")).value.config["user.plumb.lock"]).toBeUndefined();
  });

  it("skips the dependents of a failed change and applies the rest", async () => {
    fake.intercept = (r) =>
      r.method === "POST" &&
      r.path.startsWith("/1.0/projects") &&
      (r.body as { name?: string }).name === "data"
        ? {
            status: 500,
            body: JSON.stringify({
              type: "error",
              error_code: 500,
              error: "disk full",
              status_code: 0,
              operation: "",
              status: "",
              metadata: null,
            }),
          }
        : undefined;
    const report = await apply(await plan(estateFromYaml(ESTATE)));
    const status = Object.fromEntries(report.results.map((r) => [r.id, r.status]));
    expect(status["project:data/data"]).toBe("failed");
    expect(status["profile:data/default"]).toBe("skipped");
    expect(status["instance:data/db"]).toBe("skipped");
    expect(status["instance:web/w1"]).toBe("done");
    expect(report.unconverged.map((u) => u.id)).toContain("instance:data/db");
  });

  it("an update that needs a restart is skipped without --allow-restart, applied with it", async () => {
    const estate = estateFromYaml(ESTATE);
    await apply(await plan(estate));
    const text = ESTATE.replace('limits.cpu: "1"', 'limits.cpu: "1", limits.kernel.nofile: "4096"');
    const restart = await plan(estateFromYaml(text));
    expect(restart.changes.map((c) => c.action)).toEqual(["update-restart"]);
    const skipped = await apply(restart);
    expect(skipped.results[0]?.status).toBe("skipped");
    expect(skipped.results[0]?.detail).toMatch(/--allow-restart/);
    // A change apply skips is not snapshotted (issue 10, item 5).
    expect(skipped.snapshot).toBeUndefined();
    expect(records).toEqual([]);
    expect(await d.listSnapshots("web", "w1")).toEqual([]);
    expect((await d.getInstance("web", "w1")).value.config["limits.kernel.nofile"]).toBeUndefined();
    const done = await apply(await plan(estateFromYaml(text)), { allowRestart: true });
    expect(done.results[0]?.detail).toBe("restarted");
    expect(done.snapshot).toBe("pre-apply-20260101-000000");
    const i = (await d.getInstance("web", "w1")).value;
    expect(i.config["limits.kernel.nofile"]).toBe("4096");
    expect(i.status).toBe("Running");
    expect((await plan(estateFromYaml(text))).changes.filter(isActionable)).toEqual([]);
  });

  it("records the pre-apply snapshot before taking it, so a run killed meanwhile leaves it in the history", async () => {
    const estate = estateFromYaml(ESTATE);
    await apply(await plan(estate));
    const changed = await plan(
      estateFromYaml(ESTATE.replace("limits.memory: 1GiB", "limits.memory: 2GiB")),
    );
    let recordedWhenSnapshotting = -1;
    fake.intercept = (r) => {
      if (r.method === "POST" && r.path.includes("/snapshots"))
        recordedWhenSnapshotting = records.length;
      return undefined;
    };
    await apply(changed);
    expect(recordedWhenSnapshotting).toBe(1);
    expect(records[0]).toMatchObject({
      snapshot: "pre-apply-20260101-000000",
      instances: [{ name: "w2", ok: false }],
    });
    expect(records[1]?.instances).toEqual([{ project: "web", name: "w2", ok: true }]);
  });
});
