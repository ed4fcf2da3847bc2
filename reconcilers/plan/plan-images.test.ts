// Plan-time image checks (issue 10, item 8): an unknown bare alias and an unmapped remote image
// are refused by the plan, before any change; a known alias and a mapped image plan normally.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlumbError } from "../../core/errors.js";
import { NO_GIT } from "../../core/io/git.js";
import { connectIncus } from "../drivers/incus/connect.js";
import type { IncusApiDriver } from "../drivers/incus/incus-api-driver.js";
import { FakeIncusServer } from "../drivers/incus/testing/fake-incus-server.js";
import { estateFromYaml } from "../testing/estate-kit.js";
import { makePlan } from "./make-plan.js";

const estate = (image: string) =>
  estateFromYaml(
    `project_name: lab\nglobal: {addressing: {base_octet: 10}, default_os_image: ${image}}\ndomains:\n  web:\n    machines: {w1: {}}\n`,
  );

describe("plan-time image checks (fake Incus)", () => {
  let fake: FakeIncusServer;
  let d: IncusApiDriver;
  beforeAll(async () => {
    fake = await FakeIncusServer.start();
    d = connectIncus({ kind: "unix", socketPath: fake.socketPath });
  });
  afterAll(async () => {
    d.close();
    await fake.close();
  });

  const plan = (image: string, imageMap: Record<string, string> = {}) =>
    makePlan({
      estate: estate(image),
      autoCleanup: false,
      settings: { bridgeAddresses: "none", storagePool: "default", imageMap, remotes: {} },
      driver: d,
      target: d.target,
      git: NO_GIT,
      toolVersion: "test",
      now: new Date(),
    });
  const codeOf = async (p: Promise<unknown>) => {
    const e = await p.catch((x: unknown) => x);
    return e instanceof PlumbError ? `${e.code}: ${e.message}` : "no error";
  };

  it("an unknown bare alias: PLB633 naming the image and the machines", async () => {
    expect(await codeOf(plan("no-such-image"))).toBe(
      "PLB633: image 'no-such-image' (for w1) is not in Incus",
    );
  });

  it("an unmapped remote image: PLB715", async () => {
    expect(await codeOf(plan("images:debian/13"))).toMatch(/^PLB715: image images:debian\/13/);
  });

  it("a known alias, directly or through the image map, plans the create", async () => {
    expect((await plan("plumb-busybox")).plan.summary.create).toBeGreaterThan(0);
    const mapped = await plan("images:debian/13", { "images:debian/13": "plumb-busybox" });
    expect(mapped.plan.summary.create).toBeGreaterThan(0);
    // And a map to an alias Incus lacks is caught too.
    expect(await codeOf(plan("images:debian/13", { "images:debian/13": "gone" }))).toMatch(
      /^PLB633/,
    );
  });
});
