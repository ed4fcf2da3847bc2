// The apply lock on the fake Incus: one winner among racers (CAS with If-Match), a lease that
// expires, a holder that notices it lost the lock, and release that only removes its own.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectIncus } from "../drivers/incus/connect.js";
import type { IncusApiDriver } from "../drivers/incus/incus-api-driver.js";
import { FakeIncusServer } from "../drivers/incus/testing/fake-incus-server.js";
import {
  casLock,
  IncusLock,
  type LockEnv,
  LockHeldError,
  readLock,
  releaseStaleLock,
} from "./incus-lock.js";

const env = (host: string, pid: number, now = () => new Date()): LockEnv => ({
  host,
  pid,
  now,
  processStart: () => "1", // every pid alive
});

const options = (run: string, e: LockEnv, leaseMs = 60_000) => ({
  owner: "lab",
  run,
  command: `plumb apply (${run})`,
  leaseMs,
  env: e,
});

describe("IncusLock", () => {
  let fake: FakeIncusServer;
  let d: IncusApiDriver;
  beforeEach(async () => {
    fake = await FakeIncusServer.start();
    d = connectIncus({ kind: "unix", socketPath: fake.socketPath });
  });
  afterEach(async () => {
    d.close();
    await fake.close();
  });

  it("of several racing for it, exactly one wins; the others are told who holds it", async () => {
    const racers = Array.from({ length: 6 }, (_, i) =>
      IncusLock.acquire(d, options(`r${i}`, env(`host${i}`, 10 + i))),
    );
    const settled = await Promise.allSettled(racers);
    const won = settled.filter((s) => s.status === "fulfilled");
    expect(won).toHaveLength(1);
    const holder = await readLock(d);
    for (const s of settled) {
      if (s.status === "rejected") {
        expect(s.reason).toBeInstanceOf(LockHeldError);
        expect((s.reason as LockHeldError).holder.run).toBe(holder?.run);
      }
    }
    // Other keys of the default project are untouched.
    expect((await d.getProject("default")).value.config["features.images"]).toBe("true");
  });

  it("a lease that ended is taken over, and the old holder finds out it lost the lock", async () => {
    let t = Date.parse("2026-01-01T00:00:00Z");
    const clock = () => new Date(t);
    const old = await IncusLock.acquire(d, options("old", env("a", 1, clock), 30_000));
    await expect(IncusLock.acquire(d, options("new", env("b", 2, clock)))).rejects.toBeInstanceOf(
      LockHeldError,
    );
    t += 31_000;
    const fresh = await IncusLock.acquire(d, options("new", env("b", 2, clock)));
    await expect(old.renew()).rejects.toMatchObject({ code: "PLB722" });
    await old.release(); // not its lock any more: nothing removed
    expect((await readLock(d))?.run).toBe("new");
    await fresh.release();
    expect(await readLock(d)).toBeUndefined();
  });

  it("waits for a holder to finish when given a timeout", async () => {
    const first = await IncusLock.acquire(d, options("first", env("a", 1)));
    setTimeout(() => void first.release(), 300);
    const second = await IncusLock.acquire(d, { ...options("second", env("b", 2)), waitMs: 5_000 });
    expect((await readLock(d))?.run).toBe("second");
    await second.release();
  });

  it("compare-and-swap re-reads and decides again on a stale ETag (412) instead of overwriting", async () => {
    let puts = 0;
    fake.intercept = (r) => {
      if (r.method !== "PUT" || !r.path.startsWith("/1.0/projects/default") || puts++ > 0)
        return undefined;
      const body = {
        type: "error",
        error_code: 412,
        error: "ETag doesn't match",
        status: "",
        status_code: 0,
        operation: "",
        metadata: null,
      };
      return { status: 412, body: JSON.stringify(body) };
    };
    const seen: (string | undefined)[] = [];
    await casLock(d, (cur) => {
      seen.push(cur?.run);
      return { ...(cur ?? ({} as never)), run: "x", expires: "2099-01-01T00:00:00Z" };
    });
    expect(seen).toEqual([undefined, undefined]);
    expect(puts).toBe(2);
    expect((await readLock(d))?.run).toBe("x");
  });

  it("releaseStaleLock removes a dead holder's lock at once and leaves a live one alone", async () => {
    // A holder on this host whose process is gone (issue 10, item 5: a no-op rerun after a kill).
    const dead: LockEnv = {
      ...env("here", 4242),
      processStart: (pid) => (pid === 4242 ? undefined : "1"),
    };
    await IncusLock.acquire(d, options("killed", env("here", 4242)));
    const released = await releaseStaleLock(d, dead);
    expect(released?.holder.run).toBe("killed");
    expect(released?.why).toContain("no longer runs");
    expect(await readLock(d)).toBeUndefined();

    const live = await IncusLock.acquire(d, options("alive", env("here", 7)));
    expect(await releaseStaleLock(d, env("here", 8))).toBeUndefined();
    expect((await readLock(d))?.run).toBe("alive");
    await live.release();
    expect(await releaseStaleLock(d, env("here", 8))).toBeUndefined();
  });
});
