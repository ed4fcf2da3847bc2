// A machine naming a cluster member: its create carries `target` to Incus, nothing else does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyChanges } from "../../apply/engine.js";
import { connectIncus } from "../../drivers/incus/connect.js";
import type { IncusApiDriver } from "../../drivers/incus/incus-api-driver.js";
import { FakeIncusServer } from "../../drivers/incus/testing/fake-incus-server.js";
import { estateFromYaml, planMemory } from "../../testing/estate-kit.js";
import { emptyIncus } from "../../testing/memory-incus.js";

const ESTATE = estateFromYaml(`
project_name: lab
global: {addressing: {base_octet: 10}, default_os_image: images:debian/13}
domains:
  web:
    machines:
      w1: {target: node2}
      w2: {}
`);

describe("cluster placement (machine `target`)", () => {
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

  it("passes the member as ?target= on the instance's create only", async () => {
    const { changes } = await planMemory(emptyIncus(), ESTATE);
    const w1 = changes.find((c) => c.id === "instance:web/w1");
    expect(w1?.action === "create" && w1.create?.target).toBe("node2");
    const report = await applyChanges(changes, d, {
      concurrency: 1,
      ctx: { owner: "lab", allowRestart: false, vmSupported: false, stopTimeout: 1 },
    });
    expect(report.results.filter((r) => r.status !== "done")).toEqual([]);
    const creates = fake.requests.filter(
      (r) => r.method === "POST" && r.path.startsWith("/1.0/instances"),
    );
    expect(creates.map((r) => new URL(r.path, "http://x").searchParams.get("target"))).toEqual(
      expect.arrayContaining(["node2", null]),
    );
    expect(creates).toHaveLength(2);
  });
});
