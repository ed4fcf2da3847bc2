// Repair of an unfinished bridge a profile already uses: planned as a repair, applied by detaching
// the NIC from plumb's profile, recreating the bridge and putting the NIC back; refused before any
// write when a profile plumb does not own uses it.
import { describe, expect, it } from "vitest";
import { applyChanges } from "../../apply/engine.js";
import { applyMemory, estateFromYaml, planMemory } from "../../testing/estate-kit.js";
import { emptyIncus, type MemoryIncus, networksOf, profileOf } from "../../testing/memory-incus.js";

const ESTATE = estateFromYaml(`
project_name: lab
global: {addressing: {base_octet: 10}, default_os_image: images:debian/13}
domains:
  web:
    machines:
      w1: {}
`);
const ctx = { owner: "lab", allowRestart: false, vmSupported: false, stopTimeout: 1 };

/** The estate applied, then its bridge marked as Incus leaves an interrupted create. */
async function pendingBridge(): Promise<MemoryIncus> {
  const m = emptyIncus();
  await applyMemory(m, (await planMemory(m, ESTATE)).changes);
  const bridge = networksOf(m).get("net-web");
  expect(bridge).toBeDefined();
  Object.assign(bridge, { status: "Pending" });
  return m;
}

describe("repair of a Pending bridge used by a profile", () => {
  it("is planned as a repair, then recreated with the profile's NIC put back", async () => {
    const m = await pendingBridge();
    const eth0 = profileOf(m, "web", "default")?.devices.eth0;
    expect(eth0?.network).toBe("net-web");
    const { changes } = await planMemory(m, ESTATE);
    expect(changes.map((c) => `${c.action} ${c.id}`)).toEqual(["update network:default/net-web"]);
    const [c] = changes;
    expect(c?.action === "update" && c.fields).toEqual([
      { path: "status", before: "Pending", after: "Created" },
    ]);
    expect(c?.notes?.join(" ")).toMatch(/unfinished bridge: recreated/);
    const report = await applyChanges(changes, m.driver, { concurrency: 1, ctx });
    expect(report.results.map((r) => r.status)).toEqual(["done"]);
    expect(report.results[0]?.status === "done" && report.results[0].detail).toMatch(
      /recreated \(was Pending\); NICs of profile web\/default detached and put back/,
    );
    expect(networksOf(m).get("net-web")?.status).toBeUndefined();
    expect(profileOf(m, "web", "default")?.devices.eth0).toEqual(eth0);
    expect((await planMemory(m, ESTATE)).changes).toEqual([]);
  });

  it("a profile plumb does not own on it: the plan says so and the apply refuses before writing", async () => {
    const m = await pendingBridge();
    const made = m.store.route(
      "POST",
      new URL("http://incus/1.0/profiles?project=web"),
      {
        name: "hand",
        config: {},
        devices: { eth1: { type: "nic", network: "net-web", name: "eth1" } },
      },
      undefined,
    );
    expect(made.status).toBeLessThan(300);
    const { changes } = await planMemory(m, ESTATE);
    expect(changes[0]?.notes?.join(" ")).toMatch(/profile web\/hand \(not plumb's\).*PLB741/);
    const ours = structuredClone(profileOf(m, "web", "default"));
    const report = await applyChanges(changes, m.driver, { concurrency: 1, ctx });
    expect(report.results[0]?.status).toBe("failed");
    expect(report.results[0]?.error?.code).toBe("PLB741");
    expect(profileOf(m, "web", "default")).toEqual(ours);
    expect(networksOf(m).get("net-web")?.status).toBe("Pending");
  });
});
