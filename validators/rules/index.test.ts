// The rule registry: every rule is registered under its own name and never throws, whatever
// shape the (possibly schema-invalid) document has.
import { describe, expect, it } from "vitest";
import { minimalEstate } from "../../tests/kit/infra.js";
import { buildContext } from "./context.js";
import { RULES } from "./index.js";

const HOSTILE: Record<string, unknown>[] = [
  {},
  { domains: null, network_policies: null, shared_volumes: null },
  { domains: [], network_policies: {}, shared_volumes: [] },
  { global: { ai_access_policy: "exclusive", firewall_mode: "vm", gpu_policy: 3 }, domains: {} },
  {
    global: { addressing: { zone_base: "x" }, ai_access_policy: "exclusive", ai_access_default: 7 },
    domains: {
      a: null,
      b: { machines: [1, 2], profiles: "p" },
      c: {
        trust_level: "untrusted",
        profiles: {
          p: null,
          q: { devices: null },
          r: { devices: { g: null, h: { type: "gpu" } } },
        },
        machines: {
          m0: null,
          m1: { ip: 5, profiles: "p", config: [], devices: "d", persistent_data: [] },
          m2: {
            ip: ["x"],
            profiles: [null, 3, "q", "r"],
            gpu: "yes",
            config: { "security.privileged": null },
          },
          m3: { persistent_data: { x: null, y: { path: 4 } }, devices: { "pd-y": null } },
        },
      },
    },
    network_policies: [null, 3, { from: 1, to: ["x"] }, { from: "c", to: "c" }, { to: "ai-tools" }],
    shared_volumes: { v: null, w: { consumers: null }, x: { consumers: ["c"], path: 3 } },
  },
];

describe("RULES", () => {
  it("registers each rule under its function name", () => {
    for (const [name, rule] of Object.entries(RULES)) expect(rule.name).toBe(name);
    expect(Object.keys(RULES)).toHaveLength(31);
  });

  it("finds nothing in a minimal valid estate", () => {
    const ctx = buildContext(minimalEstate());

    for (const rule of Object.values(RULES)) expect(rule(ctx)).toEqual([]);
  });

  it.each(HOSTILE.map((doc, i) => [i, doc] as const))(
    "never throws on hostile document #%i, and every diagnostic has a path",
    (_, doc) => {
      const ctx = buildContext(doc);

      for (const rule of Object.values(RULES)) {
        const out = rule(ctx);
        expect(Array.isArray(out)).toBe(true);
        for (const d of out) expect(d.path).toBeDefined();
      }
    },
  );
});
