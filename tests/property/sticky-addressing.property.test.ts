// Property (issue 10, sticky addressing): any sequence of adding and removing domains and
// machines, each step numbered against the lock the previous step recorded, never moves the
// address of an object that exists before and after the step, and never gives two objects the
// same address.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AddressLock, computeAddressing, EMPTY_LOCK } from "../../core/model/addressing.js";
import { lockOf } from "../../core/model/addressing-lock.js";

type Op =
  | { op: "addDomain"; name: string; trust: string }
  | { op: "removeDomain"; index: number }
  | { op: "addMachine"; domain: number; name: string }
  | { op: "removeMachine"; index: number };

const TRUST = ["admin", "trusted", "semi-trusted", "untrusted", "disposable"];
const name = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("addDomain" as const), name, trust: fc.constantFrom(...TRUST) }),
  fc.record({ op: fc.constant("removeDomain" as const), index: fc.nat(20) }),
  fc.record({ op: fc.constant("addMachine" as const), domain: fc.nat(20), name }),
  fc.record({ op: fc.constant("removeMachine" as const), index: fc.nat(40) }),
);

interface State {
  domains: Map<string, { trust: string; machines: string[] }>;
}

function docOf(s: State) {
  return {
    project_name: "p",
    global: { addressing: { base_octet: 10, zone_base: 100 } },
    domains: Object.fromEntries(
      [...s.domains].map(([d, v]) => [
        d,
        { trust_level: v.trust, machines: Object.fromEntries(v.machines.map((m) => [m, {}])) },
      ]),
    ),
  };
}

function step(s: State, o: Op): void {
  const names = [...s.domains.keys()];
  const machines = [...s.domains.values()].flatMap((d) => d.machines);
  switch (o.op) {
    case "addDomain":
      if (!s.domains.has(o.name) && !machines.includes(o.name))
        s.domains.set(o.name, { trust: o.trust, machines: [] });
      return;
    case "removeDomain":
      if (names.length > 0) s.domains.delete(names[o.index % names.length] as string);
      return;
    case "addMachine": {
      if (names.length === 0 || machines.includes(o.name) || s.domains.has(o.name)) return;
      s.domains.get(names[o.domain % names.length] as string)?.machines.push(o.name);
      return;
    }
    case "removeMachine": {
      if (machines.length === 0) return;
      const m = machines[o.index % machines.length];
      for (const d of s.domains.values()) d.machines = d.machines.filter((x) => x !== m);
    }
  }
}

describe("sticky addressing (property)", () => {
  it("random add/remove sequences never move an existing address", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const s: State = { domains: new Map() };
        let lock: AddressLock = EMPTY_LOCK;
        for (const o of ops) {
          step(s, o);
          const plan = computeAddressing(docOf(s), lock);
          expect(plan.problems).toEqual([]);
          expect(plan.renumbers).toEqual([]);
          for (const [d, a] of plan.domains) {
            const was = lock.domains[d];
            if (was !== undefined) expect(a.subnet).toBe(was);
          }
          for (const m of plan.machines) {
            const was = lock.machines[m.machine];
            if (was !== undefined) expect(m.ip).toBe(was);
          }
          const subnets = [...plan.domains.values()].map((a) => a.subnet);
          expect(new Set(subnets).size).toBe(subnets.length);
          const ips = plan.machines.map((m) => m.ip);
          expect(new Set(ips).size).toBe(ips.length);
          lock = lockOf(plan); // what `plumb generate` records
        }
      }),
      { numRuns: 300 },
    );
  });
});
