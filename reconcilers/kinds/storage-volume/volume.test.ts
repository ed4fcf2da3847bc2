// storage_volumes on the in-memory Incus: created in the domain's project and attached to the
// machine; a resize is an update; removed with auto_cleanup, the device goes before the volume;
// a volume found on another pool is refused, never moved.
import { describe, expect, it } from "vitest";
import { PlumbError } from "../../../core/errors.js";
import type { Change } from "../../model.js";
import { applyMemory, estateFromYaml, planMemory } from "../../testing/estate-kit.js";
import { emptyIncus, instanceOf, spaceOf } from "../../testing/memory-incus.js";
import { applyVolume } from "./apply.js";

const estate = (volumes: string) =>
  estateFromYaml(`
project_name: lab
global: {addressing: {base_octet: 10}, default_os_image: images:debian/13}
domains:
  web:
    machines:
      w1: {${volumes}}
`);
const WITH = "storage_volumes: {data: {size: 1GiB, path: /srv/data}, scratch: {}}";
const ids = (cs: readonly Change[]) => cs.map((c) => `${c.action} ${c.id}`);

describe("storage-volume kind", () => {
  it("creates the volumes, attaches the ones with a path, then plans nothing", async () => {
    const m = emptyIncus();
    const plan = await planMemory(m, estate(WITH));
    expect(ids(plan.changes).filter((c) => c.includes("storage-volume"))).toEqual([
      "create storage-volume:web/w1-data",
      "create storage-volume:web/w1-scratch",
    ]);
    const w1 = plan.changes.find((c) => c.id === "instance:web/w1");
    expect(w1?.deps).toContain("storage-volume:web/w1-data");
    await applyMemory(m, plan.changes);
    const vols = spaceOf(m, "web")?.collections.get("storage-pools/default/volumes/custom");
    expect(vols?.get("w1-data")?.config).toMatchObject({ size: "1GiB" });
    expect(instanceOf(m, "web", "w1")?.devices.data).toEqual({
      path: "/srv/data",
      pool: "default",
      source: "w1-data",
      type: "disk",
    });
    expect(instanceOf(m, "web", "w1")?.devices.scratch).toBeUndefined();
    expect((await planMemory(m, estate(WITH))).changes).toEqual([]);
  });

  it("a resize is an update; a removed volume is detached, then deleted with auto_cleanup", async () => {
    const m = emptyIncus();
    await applyMemory(m, (await planMemory(m, estate(WITH))).changes);
    const resized = await planMemory(m, estate(WITH.replace("1GiB", "2GiB")));
    expect(ids(resized.changes)).toEqual(["update storage-volume:web/w1-data"]);
    const without = estate("");
    const plan = await planMemory(m, without, { autoCleanup: true });
    expect(ids(plan.changes)).toEqual([
      "update instance:web/w1",
      "delete storage-volume:web/w1-data",
      "delete storage-volume:web/w1-scratch",
    ]);
    await applyMemory(m, plan.changes);
    expect((await planMemory(m, without, { autoCleanup: true })).changes).toEqual([]);
  });

  it("a volume declared on another pool than the one it is on is refused (PLB740)", async () => {
    const m = emptyIncus();
    await applyMemory(m, (await planMemory(m, estate(WITH))).changes);
    const moved = await planMemory(
      m,
      estate(WITH.replace("size: 1GiB,", "pool: fast, size: 1GiB,")),
    );
    const [c] = moved.changes;
    expect(c?.action === "update" && c.fields.map((f) => f.path)).toEqual(["pool"]);
    const err = await applyVolume(c as Change<"storage-volume">, m.driver, {
      owner: "lab",
      allowRestart: false,
      vmSupported: false,
      stopTimeout: 1,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlumbError);
    expect((err as PlumbError).code).toBe("PLB740");
  });
});
