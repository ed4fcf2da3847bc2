// The pure planner over an in-memory Incus: what each situation plans, in which order, and that
// applying a plan then planning again finds nothing.
import { describe, expect, it } from "vitest";
import { ID_KEY, OWNER_KEY } from "../kit/ownership.js";
import type { Change } from "../model.js";
import { actionable, applyMemory, estateFromYaml, planMemory } from "../testing/estate-kit.js";
import {
  addProject,
  emptyIncus,
  instanceOf,
  type MemoryIncus,
  profileOf,
  putInstance,
} from "../testing/memory-incus.js";
import { waveOf } from "./planner.js";

const BASE = `
project_name: lab
global:
  addressing: {base_octet: 10, zone_base: 100}
  default_os_image: images:debian/13
domains:
  web:
    description: Web
    profiles:
      tuned: {config: {limits.memory: 2GiB}}
    machines:
      web-1: {config: {limits.cpu: "1"}}
      web-2: {profiles: [default, tuned]}
  data:
    machines:
      db: {ephemeral: true}
`;

const ids = (cs: readonly Change[]) => cs.map((c) => `${c.action} ${c.id}`);

async function applied(text = BASE): Promise<MemoryIncus> {
  const m = emptyIncus();
  await applyMemory(m, (await planMemory(m, estateFromYaml(text))).changes);
  return m;
}

const instance = instanceOf;

describe("planner (pure, in-memory Incus)", () => {
  it("plans everything from nothing, in waves: projects, networks, profiles, instances", async () => {
    const m = emptyIncus();
    const { changes } = await planMemory(m, estateFromYaml(BASE));
    expect(changes.every((c) => c.action === "create")).toBe(true);
    expect(ids(changes)).toEqual([
      "create project:data/data",
      "create project:web/web",
      "create network:default/net-data",
      "create network:default/net-web",
      "create profile:data/default",
      "create profile:web/default",
      "create profile:web/tuned",
      "create instance:data/db",
      "create instance:web/web-1",
      "create instance:web/web-2",
    ]);
    const waves = changes.map(waveOf);
    expect([...waves].sort((a, b) => a - b)).toEqual(waves);
    const web1 = changes.find((c) => c.id === "instance:web/web-1");
    expect(web1?.action === "create" && web1.create?.start).toBe(true);
    expect(web1?.deps).toEqual([
      "project:web/web",
      "network:default/net-web",
      "profile:web/default",
    ]);
  });

  it("applying the plan then planning again gives no change (and diff(s, s) is empty)", async () => {
    const m = await applied();
    expect((await planMemory(m, estateFromYaml(BASE))).changes).toEqual([]);
  });

  it("a changed value is a field-level update; a hand edit is flagged as drift", async () => {
    const m = await applied();
    const { changes } = await planMemory(
      m,
      estateFromYaml(BASE.replace('limits.cpu: "1"', 'limits.cpu: "2"')),
    );
    expect(changes).toHaveLength(1);
    const c = changes[0];
    expect(c?.action).toBe("update");
    if (c?.action !== "update") return;
    expect(c.fields).toEqual([{ path: "config.limits.cpu", before: "1", after: "2" }]);
    expect(c.drift).toBe(false);
    // By hand: the live object no longer matches the hash plumb wrote.
    const i = instance(m, "web", "web-1");
    if (i) i.config["limits.memory"] = "9GiB";
    const [d] = (await planMemory(m, estateFromYaml(BASE))).changes;
    expect(d?.action === "update" && d.drift).toBe(true);
    expect(d?.action === "update" && d.fields).toEqual([
      { path: "config.limits.memory", before: "9GiB" },
    ]);
  });

  it("a key that needs a restart is update-restart on a running instance, a plain update on a stopped one", async () => {
    const m = await applied();
    const text = BASE.replace('limits.cpu: "1"', 'limits.cpu: "1", limits.kernel.nofile: "4096"');
    const [c] = (await planMemory(m, estateFromYaml(text))).changes;
    expect(c?.action).toBe("update-restart");
    expect(c?.action === "update-restart" && c.restartFields).toEqual([
      "config.limits.kernel.nofile",
    ]);
    const i = instance(m, "web", "web-1");
    if (i) i.status = "Stopped";
    const after = (await planMemory(m, estateFromYaml(text))).changes;
    expect(ids(after)).toEqual(["update instance:web/web-1", "start instance-state:web/web-1"]);
  });

  it("a changed type forces a replacement, saying why (and that VMs cannot run here)", async () => {
    const m = await applied();
    const [c] = (
      await planMemory(
        m,
        estateFromYaml(BASE.replace("db: {ephemeral: true}", "db: {ephemeral: true, type: vm}")),
      )
    ).changes;
    expect(c?.action).toBe("replace");
    if (c?.action !== "replace") return;
    expect(c.reasons).toEqual(["type: container → virtual-machine"]);
    expect(c.unsupported).toMatch(/cannot run virtual machines/);
  });

  it("a changed image forces a replacement", async () => {
    const m = await applied();
    const text = BASE.replace(
      "db: {ephemeral: true}",
      "db: {ephemeral: true, os_image: images:alpine/3.20}",
    );
    const [c] = (await planMemory(m, estateFromYaml(text))).changes;
    expect(c?.action === "replace" && c.reasons).toEqual([
      "image: images:debian/13 → images:alpine/3.20",
    ]);
  });

  it("owned objects no longer declared are orphans, deleted only with auto_cleanup, children first", async () => {
    const m = await applied();
    const without = BASE.replace(/ {2}data:\n {4}machines:\n {6}db: \{ephemeral: true\}\n/, "");
    const reported = (await planMemory(m, estateFromYaml(without))).changes;
    expect(ids(reported)).toEqual([
      "orphan instance:data/db",
      "orphan network:default/net-data",
      "orphan project:data/data",
    ]);
    expect(actionable(reported)).toEqual([]);
    const pruned = (await planMemory(m, estateFromYaml(without), { autoCleanup: true })).changes;
    expect(ids(pruned)).toEqual([
      "delete instance:data/db",
      "delete project:data/data",
      "delete network:default/net-data",
    ]);
    await applyMemory(m, pruned);
    expect((await planMemory(m, estateFromYaml(without), { autoCleanup: true })).changes).toEqual(
      [],
    );
  });

  it("objects plumb does not own are conflicts, never changed; their children are blocked", async () => {
    const m = emptyIncus();
    addProject(m, {
      name: "web",
      description: "someone's",
      config: { "features.profiles": "true" },
    });
    const spec = {
      description: "",
      type: "container" as const,
      profiles: ["default"],
      config: { "user.x": "1" },
      devices: {},
    };
    putInstance(m, "web", "web-1", spec, true);
    const { changes } = await planMemory(m, estateFromYaml(BASE));
    const web = changes.filter((c) => c.ref.project === "web" && c.ref.kind !== "network");
    expect(web.map((c) => c.action)).toEqual([
      "conflict",
      "conflict",
      "conflict",
      "conflict",
      "conflict",
    ]);
    const project = web.find((c) => c.id === "project:web/web");
    expect(project?.action === "conflict" && project.reason).toMatch(/not created by plumb/);
    const child = web.find((c) => c.id === "instance:web/web-1");
    expect(child?.action === "conflict" && child.reason).toMatch(
      /inside project web, which is not owned/,
    );
    // The rest of the estate is planned as usual.
    expect(
      changes.filter((c) => c.ref.project === "data").every((c) => c.action === "create"),
    ).toBe(true);
  });

  it("another estate's object and a copy of ours are conflicts too", async () => {
    const m = await applied();
    const i = instance(m, "web", "web-2");
    if (i) i.config[OWNER_KEY] = "other-lab";
    const copy = instance(m, "web", "web-1");
    if (copy) copy.config[ID_KEY] = "instance/web/web-9";
    const changes = (await planMemory(m, estateFromYaml(BASE))).changes;
    const byId = new Map(changes.map((c) => [c.id, c]));
    const foreign = byId.get("instance:web/web-2");
    expect(foreign?.action === "conflict" && foreign.reason).toMatch(
      /belongs to estate 'other-lab'/,
    );
    const copied = byId.get("instance:web/web-1");
    expect(copied?.action === "conflict" && copied.reason).toMatch(/another object/);
  });

  it("disabled domains are neither changed nor orphaned; --limit plans one domain", async () => {
    const m = await applied();
    const disabled = BASE.replace("  data:\n", "  data:\n    enabled: false\n").replace(
      "db: {ephemeral: true}",
      "db: {ephemeral: true, config: {limits.cpu: '3'}}",
    );
    expect((await planMemory(m, estateFromYaml(disabled))).changes).toEqual([]);
    const limited = await planMemory(
      m,
      estateFromYaml(BASE.replace('limits.cpu: "1"', 'limits.cpu: "4"')),
      { limit: ["data"] },
    );
    expect(limited.changes).toEqual([]);
    const web = await planMemory(
      m,
      estateFromYaml(BASE.replace('limits.cpu: "1"', 'limits.cpu: "4"')),
      {
        limit: ["web"],
      },
    );
    expect(ids(web.changes)).toEqual(["update instance:web/web-1"]);
  });

  it("declared state: a stopped machine is started, `state: stopped` stops it", async () => {
    const m = await applied();
    const i = instance(m, "data", "db");
    if (i) i.status = "Stopped";
    expect(ids((await planMemory(m, estateFromYaml(BASE))).changes)).toEqual([
      "start instance-state:data/db",
    ]);
    const stop = BASE.replace("web-1: {config", "web-1: {state: stopped, config");
    expect(ids((await planMemory(m, estateFromYaml(stop))).changes)).toEqual([
      "start instance-state:data/db",
      "stop instance-state:web/web-1",
    ]);
  });

  it("a profile update lists the instances it reaches (they are snapshotted too)", async () => {
    const m = await applied();
    const [c] = (
      await planMemory(
        m,
        estateFromYaml(BASE.replace("limits.memory: 2GiB", "limits.memory: 3GiB")),
      )
    ).changes;
    expect(c?.id).toBe("profile:web/tuned");
    expect(c?.affects).toEqual(["web/web-2"]);
  });

  it("a project's default profile Incus created is taken over, another estate's is a conflict", async () => {
    const m = await applied();
    const def = profileOf(m, "web", "default");
    if (def) def.config = {};
    const [c] = (await planMemory(m, estateFromYaml(BASE))).changes;
    expect(c?.action).toBe("update");
    expect(c?.id).toBe("profile:web/default");
    if (def) def.config = { [OWNER_KEY]: "other-lab" };
    const [x] = (await planMemory(m, estateFromYaml(BASE))).changes;
    expect(x?.action).toBe("conflict");
  });
});
