// import: an estate applied to an in-memory Incus, its plumb labels stripped (as if made by
// hand), imported back → a valid infra document whose plan, once `adopt` wrote the labels, is empty.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { ConfigMap } from "../drivers/incus/types.js";
import { PLUMB_PREFIX } from "../kit/ownership.js";
import { isActionable } from "../model.js";
import { applyMemory, desiredFor, estateFromYaml, planMemory } from "../testing/estate-kit.js";
import { emptyIncus, type MemoryIncus } from "../testing/memory-incus.js";
import { adopt } from "./adopt.js";
import { importEstate, type LiveEstate } from "./import.js";

const ORIGINAL = `
project_name: lab
global: {addressing: {base_octet: 10}, default_os_image: images:debian/13}
domains:
  web:
    description: Web tier
    profiles:
      tuned: {description: Tuned, config: {limits.memory: 1GiB}, devices: {data: {type: disk, path: /d, source: /srv/d}}}
    machines:
      web-1: {description: Front, config: {limits.cpu: "1"}, boot_autostart: true, boot_priority: 10}
      web-2: {profiles: [default, tuned], ephemeral: true, state: stopped, snapshots_expiry: 7d}
  data:
    machines:
      db: {devices: {scratch: {type: disk, path: /mnt, source: /tmp}}}
`;

const strip = (c: ConfigMap) =>
  Object.fromEntries(Object.entries(c).filter(([k]) => !k.startsWith(PLUMB_PREFIX)));

async function handMade(): Promise<MemoryIncus> {
  const m = emptyIncus();
  await applyMemory(m, (await planMemory(m, estateFromYaml(ORIGINAL))).changes);
  for (const space of m.store.projects.values()) {
    space.config = strip(space.config);
    for (const n of space.networks.values()) n.config = strip(n.config);
    for (const p of space.profiles.values()) p.config = strip(p.config);
    for (const i of space.instances.values()) i.config = strip(i.config);
  }
  return m;
}

/** The live objects, read through the driver as `plumb import` reads them. */
async function liveOf(m: MemoryIncus): Promise<LiveEstate> {
  const d = m.driver;
  const projects = (await d.listProjects()).filter((p) => p.name !== "default");
  const names = projects.map((p) => p.name);
  return {
    projects,
    networks: await d.listNetworks("default"),
    profiles: new Map(
      await Promise.all(names.map(async (p) => [p, await d.listProfiles(p)] as const)),
    ),
    instances: new Map(
      await Promise.all(names.map(async (p) => [p, await d.listInstances(p)] as const)),
    ),
    aliases: [{ name: "plumb-busybox", target: "7638b0294147" }],
  };
}

describe("importEstate", () => {
  it("reproduces a hand-made estate: after taking it over, the plan is empty", async () => {
    const m = await handMade();
    const imported = importEstate(await liveOf(m), { name: "adopted", storagePool: "default" });
    expect(imported.warnings).toEqual([]);
    expect(imported.bridgeAddresses).toBe("none");
    const text = stringify(imported.document);
    const estate = estateFromYaml(text);
    expect(estate.machines.map((x) => x.name).sort()).toEqual(["db", "web-1", "web-2"]);
    const web2 = estate.machines.find((x) => x.name === "web-2")?.declared;
    expect(web2).toMatchObject({
      ephemeral: true,
      state: "stopped",
      snapshots_expiry: "7d",
      profiles: ["default", "tuned"],
    });
    expect(estate.machines.find((x) => x.name === "web-1")?.declared).toMatchObject({
      boot_autostart: true,
      boot_priority: 10,
    });
    // Before taking over, every declared object is someone else's: conflicts only.
    expect((await planMemory(m, estate)).changes.filter(isActionable)).toEqual([]);
    const taken = await adopt(m.driver, desiredFor(estate).objects, "adopted");
    expect(taken.failed).toEqual([]);
    expect(taken.adopted.length).toBeGreaterThan(0);
    expect((await planMemory(m, estate)).changes).toEqual([]);
  });

  it("says what it cannot express", async () => {
    const m = await handMade();
    const web = m.store.projects.get("web");
    if (web) web.config = { ...web.config, "features.profiles": "false" };
    const live = await liveOf(m);
    const imported = importEstate(
      {
        projects: [
          ...live.projects,
          { name: "Bad_Name", description: "", config: { "features.profiles": "true" } },
        ],
        networks: live.networks,
        profiles: new Map(),
        instances: new Map(),
        aliases: [],
      },
      { name: "x", storagePool: "default" },
    );
    expect(imported.warnings.join("\n")).toMatch(
      /project web: shares the default project's profiles/,
    );
    expect(imported.warnings.join("\n")).toMatch(/project Bad_Name: not a valid domain name/);
  });
});
