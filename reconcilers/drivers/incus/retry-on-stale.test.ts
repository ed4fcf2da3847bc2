// updateWithFreshEtag against the fake Incus: a concurrent writer between GET and PUT makes the
// first PUT fail with 412; the helper re-reads, rebuilds from the new value and succeeds.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectIncus } from "./connect.js";
import { PreconditionFailedError } from "./errors.js";
import type { IncusApiDriver } from "./incus-api-driver.js";
import { updateWithFreshEtag } from "./retry-on-stale.js";
import { FakeIncusServer } from "./testing/fake-incus-server.js";

describe("updateWithFreshEtag", () => {
  let fake: FakeIncusServer;
  let driver: IncusApiDriver;
  let other: IncusApiDriver;
  beforeEach(async () => {
    fake = await FakeIncusServer.start();
    driver = connectIncus({ kind: "unix", socketPath: fake.socketPath });
    other = connectIncus({ kind: "unix", socketPath: fake.socketPath });
  });
  afterEach(async () => {
    driver.close();
    other.close();
    await fake.close();
  });

  /** Another writer sets `user.other` on the default profile (its own GET + PUT). */
  const concurrentWrite = async (value: string) => {
    const p = await other.getProfile("default", "default");
    const config = { ...p.value.config, "user.other": value };
    await other.updateProfile("default", "default", { ...p.value, config }, p.etag);
  };

  it("re-reads and re-applies after a 412, keeping the other writer's change", async () => {
    let builds = 0;
    const wrote = await updateWithFreshEtag(
      () => driver.getProfile("default", "default"),
      async (current, etag) => {
        builds++;
        if (builds === 1) await concurrentWrite("1");
        const config = { ...current.config, "user.mine": "x" };
        await driver.updateProfile("default", "default", { ...current, config }, etag);
        return true;
      },
    );
    expect(wrote).toBe(true);
    expect(builds).toBe(2);
    expect(fake.count("PUT", "/1.0/profiles/default")).toBe(3);
    const final = await driver.getProfile("default", "default");
    expect(final.value.config).toEqual({ "user.other": "1", "user.mine": "x" });
  });

  it("gives up after the attempts with PreconditionFailedError", async () => {
    let n = 0;
    const err = await updateWithFreshEtag(
      () => driver.getProfile("default", "default"),
      async (current, etag) => {
        await concurrentWrite(String(++n));
        await driver.updateProfile("default", "default", current, etag);
        return true;
      },
      { attempts: 2 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreconditionFailedError);
    expect(n).toBe(2);
  });

  it("writes nothing when the fresh value already matches", async () => {
    const wrote = await updateWithFreshEtag(
      () => driver.getProfile("default", "default"),
      async () => false,
    );
    expect(wrote).toBe(false);
    expect(fake.count("PUT", "/1.0/")).toBe(0);
  });
});

describe("updateWithFreshEtag while Incus is busy with the same instance", () => {
  let fake: FakeIncusServer;
  let driver: IncusApiDriver;
  beforeEach(async () => {
    fake = await FakeIncusServer.start();
    driver = connectIncus({ kind: "unix", socketPath: fake.socketPath });
  });
  afterEach(async () => {
    driver.close();
    await fake.close();
  });

  it("writes again after a pause, from a fresh read", async () => {
    let puts = 0;
    const busy =
      "The following instances failed to update (profile change still saved):\n - Project: default, Instance: c1: Failed to create instance update operation: A matching non-reusable operation has now succeeded";
    fake.intercept = (r) =>
      r.method === "PUT" && puts++ < 2
        ? {
            status: 500,
            body: JSON.stringify({
              type: "error",
              error_code: 500,
              error: busy,
              status: "",
              status_code: 0,
              operation: "",
              metadata: null,
            }),
          }
        : undefined;
    let reads = 0;
    const wrote = await updateWithFreshEtag(
      () => {
        reads++;
        return driver.getProfile("default", "default");
      },
      async (cur, etag) => {
        await driver.updateProfile(
          "default",
          "default",
          { ...cur, config: { "user.x": "1" } },
          etag,
        );
        return true;
      },
    );
    expect(wrote).toBe(true);
    expect(reads).toBe(3);
    expect((await driver.getProfile("default", "default")).value.config["user.x"]).toBe("1");
  });
});
