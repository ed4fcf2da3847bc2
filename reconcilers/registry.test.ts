// Conformance over the registry: every kind is registered under its own name, diff(x, x) is
// empty for each kind, report-only actions are never applied, and every action can be rendered.
import { beforeAll, describe, expect, it } from "vitest";
import { SYMBOL, VERB } from "../cli/render/plan-human.js";
import { PlumbError } from "../core/errors.js";
import type { IncusDriver } from "./drivers/incus/types.js";
import { ACTIONS, type Change, type DesiredObject, type ObservedObject } from "./model.js";
import type { DiffContext } from "./reconciler.js";
import { KINDS, RECONCILERS } from "./registry.js";
import { applyMemory, desiredFor, estateFromYaml, planMemory } from "./testing/estate-kit.js";
import { emptyIncus, observeMemory } from "./testing/memory-incus.js";

const ESTATE = estateFromYaml(`
project_name: lab
global: {addressing: {base_octet: 10}, default_os_image: images:debian/13}
domains:
  web:
    profiles: {tuned: {config: {limits.memory: 1GiB}, devices: {data: {type: disk, path: /d, source: /srv}}}}
    machines:
      w1: {config: {limits.cpu: "1"}, boot_autostart: true, devices: {x: {type: disk, path: /x, source: /x}}, storage_volumes: {data: {size: 1GiB, path: /data}}}
      w2: {state: stopped, profiles: [default, tuned]}
  data:
    machines:
      d1: {}
network_policies:
  - {from: w1, to: data, ports: [5432], protocol: tcp, bidirectional: true}
  - {from: host, to: w2, ports: [22]}
`);
// Bridges with addresses: every kind has objects (address-less bridges carry no ACL).
const OPTIONS = { bridgeAddresses: "declared" } as const;

const ctx: DiffContext = {
  owner: "lab",
  autoCleanup: true,
  projectAccess: () => ({ ok: true, creating: false }),
  inScope: () => true,
};

type AnyDiff = {
  diff(d: readonly DesiredObject[], o: readonly ObservedObject[], c: DiffContext): Change[];
};

describe("reconciler registry (conformance)", () => {
  const desired = desiredFor(ESTATE, OPTIONS).objects;
  let observed: ObservedObject[] = [];
  beforeAll(async () => {
    const m = emptyIncus();
    await applyMemory(m, (await planMemory(m, ESTATE, { desired: OPTIONS })).changes);
    observed = await observeMemory(m, "lab");
  });

  for (const kind of KINDS) {
    describe(kind, () => {
      const r = RECONCILERS[kind] as unknown as AnyDiff & {
        kind: string;
        apply: (c: Change, d: IncusDriver, x: unknown) => Promise<unknown>;
      };

      it("is registered under its own kind", () => {
        expect(r.kind).toBe(kind);
      });

      it("diff(x, x) is empty", () => {
        const d = desired.filter((o) => o.ref.kind === kind);
        const o = observed.filter((x) => x.ref.kind === kind);
        expect(d.length).toBeGreaterThan(0);
        expect(r.diff(d, o, ctx)).toEqual([]);
      });

      it("never applies orphan or conflict (reported only)", async () => {
        const ref = { kind, project: "web", name: "w1" } as Change["ref"];
        for (const action of ["orphan", "conflict"] as const) {
          const change = { id: "x", ref, deps: [], action, reason: "r" } as Change;
          const err = await r.apply(change, {} as IncusDriver, {}).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(PlumbError);
          expect((err as PlumbError).source).toBe("internal");
        }
      });
    });
  }

  it("every action has a symbol and a verb in the plan renderer", () => {
    for (const a of ACTIONS) {
      expect(SYMBOL[a]).toBeTruthy();
      expect(VERB[a]).toBeTruthy();
    }
    expect(Object.keys(SYMBOL).sort()).toEqual([...ACTIONS].sort());
  });
});
