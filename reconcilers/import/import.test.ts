// import, pure: an estate applied to an in-memory Incus, its plumb labels stripped (as if made by
// hand), imported back → a valid infra document whose plan, once the labels are written, is empty.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { ConfigMap } from "../drivers/incus/types.js";
import { PLUMB_PREFIX } from "../kit/ownership.js";
import { type DesiredObject, isActionable } from "../model.js";
import { applyMemory, desiredFor, estateFromYaml, planMemory } from "../testing/estate-kit.js";
import { emptyIncus, type MemoryIncus } from "../testing/memory-incus.js";
import { importEstate } from "./import.js";

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

function handMade(): MemoryIncus {
  const m = emptyIncus();
  applyMemory(m, planMemory(m, estateFromYaml(ORIGINAL)).changes);
  for (const [name, p] of m.projects) m.projects.set(name, { ...p, config: strip(p.config) });
  for (const [name, n] of m.networks) m.networks.set(name, { ...n, config: strip(n.config) });
  for (const ps of m.profiles.values()) for (const p of ps.values()) p.config = strip(p.config);
  for (const is of m.instances.values()) for (const i of is.values()) i.config = strip(i.config);
  return m;
}

/** What `adopt` writes: the desired labels onto each live object. */
function adoptInMemory(m: MemoryIncus, desired: readonly DesiredObject[]): void {
  for (const d of desired) {
    const labels = Object.fromEntries(
      Object.entries((d.spec as { config?: ConfigMap }).config ?? {}).filter(([k]) =>
        k.startsWith(PLUMB_PREFIX),
      ),
    );
    const { kind, project, name } = d.ref;
    if (kind === "project") {
      const p = m.projects.get(name);
      if (p) m.projects.set(name, { ...p, config: { ...p.config, ...labels } });
    } else if (kind === "network") {
      const n = m.networks.get(name);
      if (n) m.networks.set(name, { ...n, config: { ...n.config, ...labels } });
    } else if (kind === "profile") {
      const p = m.profiles.get(project)?.get(name);
      if (p) p.config = { ...p.config, ...labels };
    } else if (kind === "instance") {
      const i = m.instances.get(project)?.get(name);
      if (i) i.config = { ...i.config, ...labels };
    }
  }
}

describe("importEstate", () => {
  it("reproduces a hand-made estate: after taking it over, the plan is empty", () => {
    const m = handMade();
    const imported = importEstate(
      {
        projects: [...m.projects.values()],
        networks: [...m.networks.values()],
        profiles: new Map([...m.profiles].map(([p, ps]) => [p, [...ps.values()]])),
        instances: new Map([...m.instances].map(([p, is]) => [p, [...is.values()]])),
        aliases: [{ name: "plumb-busybox", target: "7638b0294147" }],
      },
      { name: "adopted", storagePool: "default" },
    );
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
    expect(planMemory(m, estate).changes.filter(isActionable)).toEqual([]);
    adoptInMemory(m, desiredFor(estate).objects);
    expect(planMemory(m, estate).changes).toEqual([]);
  });

  it("says what it cannot express", () => {
    const m = handMade();
    const web = m.projects.get("web");
    if (web)
      m.projects.set("web", { ...web, config: { ...web.config, "features.profiles": "false" } });
    const imported = importEstate(
      {
        projects: [
          ...m.projects.values(),
          { name: "Bad_Name", description: "", config: { "features.profiles": "true" } },
        ],
        networks: [...m.networks.values()],
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
