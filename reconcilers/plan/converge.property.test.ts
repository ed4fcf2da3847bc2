// fast-check properties of the pure planner over an in-memory Incus:
//   diff(s, s) is empty — an estate applied to nothing plans nothing more;
//   apply-then-replan converges — from any reachable live state (another estate applied, then
//     edited by hand: stopped, changed, deleted, extra keys), the plan applied leaves nothing to do;
//   objects plumb does not own come out byte-identical, whatever the plan.
// Plans are applied through the real reconcilers and apply engine on the in-memory Incus (which
// passes the driver conformance suite), so runs are fewer than a pure model would allow.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { refId } from "../model.js";
import {
  actionable,
  applyMemory,
  desiredFor,
  estateFromYaml,
  planMemory,
} from "../testing/estate-kit.js";
import {
  addProject,
  emptyIncus,
  type MemoryIncus,
  networksOf,
  observeMemory,
  putInstance,
  snapshotOf,
} from "../testing/memory-incus.js";

const DOMAINS = ["web", "data", "ops"] as const;

const machine = (hasTuned: boolean) =>
  fc.record(
    {
      type: fc.constantFrom("lxc", "vm"),
      ephemeral: fc.boolean(),
      state: fc.constantFrom("running", "stopped"),
      boot_autostart: fc.boolean(),
      profiles: hasTuned
        ? fc.constantFrom(["default"], ["default", "tuned"])
        : fc.constant(["default"]),
      os_image: fc.constantFrom("images:debian/13", "images:alpine/3.20"),
      storage_volumes: fc.constantFrom(
        { data: { size: "1GiB", path: "/srv/data" } },
        { data: { size: "2GiB", path: "/srv/data" }, logs: {} },
      ),
      config: fc.record(
        {
          "limits.cpu": fc.constantFrom("1", "2", "4"),
          "limits.memory": fc.constantFrom("512MiB", "1GiB"),
          "limits.kernel.nofile": fc.constantFrom("1024", "4096"),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  );

const domain = fc.boolean().chain((tuned) =>
  fc.record(
    {
      description: fc.constantFrom("", "a domain", "another"),
      enabled: fc.constantFrom(true, true, true, false),
      profiles: tuned
        ? fc.constant({ tuned: { config: { "limits.memory": "2GiB" } } })
        : fc.constant(undefined),
      machines: fc.array(machine(tuned), { maxLength: 4 }),
    },
    { requiredKeys: ["machines", "profiles"] },
  ),
);

/** An estate document: some of three domains, machines named `<domain>-<n>`. */
const estateText = fc
  .record({ web: fc.option(domain), data: fc.option(domain), ops: fc.option(domain) })
  .map((ds) => {
    const domains: Record<string, unknown> = {};
    for (const name of DOMAINS) {
      const d = ds[name];
      if (!d) continue;
      const machines = Object.fromEntries(d.machines.map((m, i) => [`${name}-${i}`, m]));
      const { profiles, ...rest } = d;
      domains[name] = { ...rest, ...(profiles ? { profiles } : {}), machines };
    }
    return stringify({
      project_name: "lab",
      global: { addressing: { base_octet: 10 }, default_os_image: "images:debian/13" },
      domains,
    });
  });

/** Hand edits of a live state: stop, change a key, delete an instance, strip a profile device. */
const edits = fc.array(
  fc.record({
    kind: fc.constantFrom("stop", "set", "unset", "delete", "profile", "network-extra"),
    pick: fc.nat(),
    value: fc.constantFrom("7", "9GiB", "x"),
  }),
  { maxLength: 6 },
);

function editLive(
  m: MemoryIncus,
  list: readonly { kind: string; pick: number; value: string }[],
): void {
  const spaces = [...m.store.projects.values()];
  const instances = spaces.flatMap((s) => [...s.instances.values()].map((i) => ({ s, i })));
  for (const e of list) {
    const pick = instances[e.pick % Math.max(1, instances.length)];
    const i = pick?.i;
    if (e.kind === "stop" && i) i.status = "Stopped";
    if (e.kind === "set" && i) i.config["limits.cpu"] = e.value;
    if (e.kind === "unset" && i) delete i.config["limits.memory"];
    if (e.kind === "delete" && pick) pick.s.instances.delete(pick.i.name);
    if (e.kind === "profile")
      for (const s of spaces) {
        const def = s.profiles.get("default");
        if (def) delete def.devices.root;
      }
    if (e.kind === "network-extra")
      for (const n of networksOf(m).values()) n.config["dns.domain"] = "lab.internal";
  }
}

const options = { vmSupported: true };

/** A view without what is create-only (project features) or Incus's (an undeclared default-profile description). */
function comparable(spec: unknown): unknown {
  const { features: _f, ...rest } = (spec ?? {}) as Record<string, unknown>;
  return rest.description === "" || rest.description === "Default Incus profile"
    ? { ...rest, description: "" }
    : rest;
}

describe("planner properties", () => {
  it("diff(s, s) is empty: an estate applied to an empty Incus plans nothing more", async () => {
    await fc.assert(
      fc.asyncProperty(estateText, async (text) => {
        const estate = estateFromYaml(text);
        const m = emptyIncus();
        await applyMemory(m, (await planMemory(m, estate, { desired: options })).changes, options);
        expect((await planMemory(m, estate, { desired: options })).changes).toEqual([]);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it("apply-then-replan converges from any reachable live state", async () => {
    await fc.assert(
      // Half the time the same estate again: then the hand edits are the only differences.
      fc.asyncProperty(
        estateText,
        fc.option(estateText),
        edits,
        fc.boolean(),
        async (before, next, hand, autoCleanup) => {
          const after = next ?? before;
          const m = emptyIncus();
          await applyMemory(
            m,
            (await planMemory(m, estateFromYaml(before), { desired: options })).changes,
            options,
          );
          editLive(m, hand);
          const estate = estateFromYaml(after);
          const plan = await planMemory(m, estate, { desired: options, autoCleanup });
          await applyMemory(m, plan.changes, options);
          const again = await planMemory(m, estate, { desired: options, autoCleanup });
          expect(actionable(again.changes)).toEqual([]);
          // Without auto_cleanup, orphans stay and are reported; with it, none is left.
          if (autoCleanup) expect(again.changes.filter((c) => c.action === "orphan")).toEqual([]);
          // And independently of the differ: every live object now shows exactly its desired view.
          const live = new Map((await observeMemory(m, "lab")).map((o) => [refId(o.ref), o]));
          for (const d of desiredFor(estate, options).objects) {
            const o = live.get(refId(d.ref));
            expect(o?.ownership, refId(d.ref)).toBe("owned");
            expect(comparable(o?.spec), refId(d.ref)).toEqual(comparable(d.spec));
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it("objects plumb does not own come out byte-identical", async () => {
    await fc.assert(
      fc.asyncProperty(estateText, fc.boolean(), async (text, autoCleanup) => {
        const m = emptyIncus();
        // Someone else's project named like a domain, a bridge named like one, an instance
        // without labels inside a project plumb will own.
        addProject(m, {
          name: "web",
          description: "not ours",
          config: { "features.profiles": "true" },
        });
        networksOf(m).set("net-data", {
          type: "bridge",
          description: "",
          config: { "ipv4.address": "none" },
        });
        const spec = {
          description: "",
          type: "container" as const,
          profiles: ["default"],
          config: {},
          devices: {},
        };
        putInstance(m, "web", "web-0", spec, true);
        const unowned = snapshotOf(m);
        const estate = estateFromYaml(text);
        const plan = await planMemory(m, estate, { desired: options, autoCleanup });
        await applyMemory(m, plan.changes, options);
        const now = snapshotOf(m);
        expect(now.get("web")).toEqual(unowned.get("web"));
        expect(now.get("default")?.networks.get("net-data")).toEqual(
          unowned.get("default")?.networks.get("net-data"),
        );
        for (const c of plan.changes) {
          if (c.ref.project === "web" && c.ref.kind !== "network")
            expect(["conflict", "orphan"]).toContain(c.action);
          if (c.id === "network:default/net-data") expect(c.action).toBe("conflict");
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
