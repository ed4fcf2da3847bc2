// A plan names the instances inside the estate's own projects that plumb does not manage
// (issue 10, item 8), and leaves them out of its changes.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_GIT } from "../../core/io/git.js";
import { runApply } from "../apply/run-apply.js";
import { connectIncus } from "../drivers/incus/connect.js";
import type { IncusApiDriver } from "../drivers/incus/incus-api-driver.js";
import { FakeIncusServer } from "../drivers/incus/testing/fake-incus-server.js";
import { estateFromYaml } from "../testing/estate-kit.js";
import { makePlan } from "./make-plan.js";

const ESTATE = estateFromYaml(
  "project_name: lab\nglobal: {addressing: {base_octet: 10}, default_os_image: plumb-busybox}\ndomains:\n  web:\n    machines: {w1: {}}\n",
);

describe("unmanaged instances in owned projects (fake Incus)", () => {
  let fake: FakeIncusServer;
  let d: IncusApiDriver;
  beforeAll(async () => {
    fake = await FakeIncusServer.start();
    d = connectIncus({ kind: "unix", socketPath: fake.socketPath }, { waitChunkSeconds: 1 });
  });
  afterAll(async () => {
    d.close();
    await fake.close();
  });
  const plan = async () =>
    (
      await makePlan({
        estate: ESTATE,
        autoCleanup: false,
        settings: { bridgeAddresses: "none", storagePool: "default", imageMap: {}, remotes: {} },
        driver: d,
        target: d.target,
        git: NO_GIT,
        toolVersion: "test",
        now: new Date(),
      })
    ).plan;

  it("lists a hand-made instance of an owned project, and plans nothing for it", async () => {
    await runApply({
      plan: await plan(),
      driver: d,
      target: d.target,
      options: {
        allowRestart: false,
        snapshot: false,
        keep: 3,
        concurrency: 2,
        stopTimeout: 5,
        leaseMs: 30_000,
      },
      run: "r1",
      command: "test",
      lockEnv: { host: "h", pid: 1, now: () => new Date(), processStart: () => "1" },
      timestamp: "20260101-000000",
      recordSnapshots: async () => undefined,
      journal: () => undefined,
    });
    expect((await plan()).unmanaged).toBeUndefined();
    await d.createInstance("web", {
      name: "manual",
      type: "container",
      source: { type: "image", alias: "plumb-busybox" },
      start: false,
    });
    const p = await plan();
    expect(p.unmanaged).toEqual(["instance:web/manual"]);
    expect(p.changes.map((c) => c.id)).not.toContain("instance:web/manual");
  });
});
