// Properties (b) and (c) of the loader + validator:
//  (b) estates built by the valid-infra arbitrary are accepted with zero errors, in file and in
//      directory mode alike;
//  (c) each mutation class applied to a valid estate produces its own code, at the mutated path.
// Property (a), never throwing: validator-never-throws.property.test.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { CODES } from "../../core/codes.js";
import type { Diagnostic, JsonPath } from "../../core/diagnostics.js";
import { computeAddressing } from "../../core/model/addressing.js";
import { loadDir, loadText } from "../kit/infra.js";
import { type ValidEstate, validEstate } from "../kit/infra-arbitrary.js";
import { check, ESTATE_RUNS, SCALE } from "../kit/validator-property.js";

function toDir(doc: ValidEstate["doc"]): Record<string, string> {
  const { domains, network_policies, ...base } = doc;
  const files: Record<string, string> = { "base.yml": stringify(base) };
  for (const [name, d] of Object.entries(domains)) {
    files[`domains/${name}.yml`] = stringify({ [name]: d });
  }
  if (network_policies) files["policies.yml"] = stringify({ network_policies });
  return files;
}

const ALLOWED_WARNINGS = new Set(["PLB403", "PLB503"]);

describe("(b) valid estates are accepted", () => {
  it("with zero errors in file mode", () => {
    fc.assert(
      fc.property(validEstate, (e) => {
        const r = check(loadText(stringify(e.doc)));

        expect(r.diagnostics.filter((d) => !ALLOWED_WARNINGS.has(d.code))).toEqual([]);
        expect(r.ok).toBe(true);
        expect(r.stats.domains).toBe(e.domains.length);
        expect(r.stats.machines).toBe(e.machines.length);
      }),
      ESTATE_RUNS,
    );
  });

  it("with zero errors in directory mode, with the same warnings", () => {
    fc.assert(
      fc.property(validEstate, (e) => {
        const file = check(loadText(stringify(e.doc)));
        const dir = check(loadDir(toDir(e.doc)));

        expect(dir.ok).toBe(true);
        expect(dir.diagnostics.map((d) => [d.code, d.path])).toEqual(
          expect.arrayContaining(file.diagnostics.map((d) => [d.code, d.path])),
        );
        expect(dir.diagnostics).toHaveLength(file.diagnostics.length);
      }),
      ESTATE_RUNS,
    );
  });

  it("with every explicit and automatic IP inside its domain's subnet and unique", () => {
    fc.assert(
      fc.property(validEstate, (e) => {
        const plan = computeAddressing(e.doc);
        const ips = plan.machines.map((m) => m.ip);

        expect(plan.problems).toEqual([]);
        expect(new Set(ips).size).toBe(ips.length);
        for (const m of plan.machines) {
          expect(m.ip?.startsWith(`${plan.domains.get(m.domain)?.prefix}.`)).toBe(true);
        }
        for (const [d, prefix] of e.prefixes) expect(plan.domains.get(d)?.prefix).toBe(prefix);
      }),
      ESTATE_RUNS,
    );
  });
});

// ---- (c) mutations -------------------------------------------------------------------------

type Doc = ValidEstate["doc"];
interface Mutated {
  readonly doc: unknown;
  readonly code: keyof typeof CODES;
  readonly severity: "error" | "warning";
  /** Where the diagnostic must point (any of these paths). */
  readonly paths: readonly JsonPath[];
  /** Text the located source line must contain. */
  readonly text: string;
}

const clone = (doc: Doc): Doc => structuredClone(doc);
const machinesOf = (doc: Doc, domain: string) => {
  const d = doc.domains[domain] as Record<string, unknown>;
  d.machines ??= {};
  return d.machines as Record<string, Record<string, unknown>>;
};
const policiesOf = (doc: Doc) => {
  doc.network_policies ??= [];
  return doc.network_policies;
};
const PROBE = "probe-machine-xyz"; // 17 characters: longer than any generated name

/** The estate's machines, adding a probe machine (and a second one) when there are too few. */
function ensureMachines(doc: Doc, e: ValidEstate, n: number) {
  const list = e.machines.map((m) => ({ ...m }));
  for (let i = list.length; i < n; i++) {
    const domain = e.domains[i % e.domains.length] as string;
    machinesOf(doc, domain)[`${PROBE}${i}`] = {};
    list.push({ name: `${PROBE}${i}`, domain });
  }
  return list;
}

/** Renames key `from` of `o` to `to`, keeping the key order. */
function renameKey(o: Record<string, unknown>, from: string, to: string) {
  const entries = Object.entries(o).map(([k, v]) => [k === from ? to : k, v] as const);
  for (const k of Object.keys(o)) delete o[k];
  for (const [k, v] of entries) o[k] = v;
}

const pick = <T>(xs: readonly T[], k: number): T => xs[k % xs.length] as T;
const freshDomain = (e: ValidEstate) => {
  for (let i = 0; ; i++) if (!e.domains.includes(`x${i}`)) return `x${i}`;
};

const MUTATIONS: Record<string, (e: ValidEstate, k: number) => Mutated> = {
  "duplicate machine name → PLB203": (e, k) => {
    const doc = clone(e.doc);
    const m = pick(ensureMachines(doc, e, 1), k);
    let other = e.domains.find((d) => d !== m.domain);
    if (other === undefined) {
      other = freshDomain(e);
      doc.domains[other] = {};
    }
    machinesOf(doc, other)[m.name] = {};
    return {
      doc,
      code: "PLB203",
      severity: "error",
      paths: [
        ["domains", other, "machines", m.name],
        ["domains", m.domain, "machines", m.name],
      ],
      text: m.name,
    };
  },

  "IP outside the subnet → PLB302": (e, k) => {
    const doc = clone(e.doc);
    const m = pick(ensureMachines(doc, e, 1), k);
    const ip = `192.0.2.${1 + (k % 253)}`;
    machinesOf(doc, m.domain)[m.name] = { ...machinesOf(doc, m.domain)[m.name], ip };
    return {
      doc,
      code: "PLB302",
      severity: "error",
      paths: [["domains", m.domain, "machines", m.name, "ip"]],
      text: ip,
    };
  },

  "reserved IP → PLB303": (e, k) => {
    const doc = clone(e.doc);
    const m = pick(ensureMachines(doc, e, 1), k);
    const prefix = computeAddressing(doc).domains.get(m.domain)?.prefix;
    const ip = `${prefix}.${pick([0, 254, 255], k)}`;
    machinesOf(doc, m.domain)[m.name] = { ...machinesOf(doc, m.domain)[m.name], ip };
    return {
      doc,
      code: "PLB303",
      severity: "error",
      paths: [["domains", m.domain, "machines", m.name, "ip"]],
      text: ip,
    };
  },

  "duplicate IP → PLB304": (e, k) => {
    const doc = clone(e.doc);
    const ms = ensureMachines(doc, e, 2);
    const a = pick(ms, k);
    const b = pick(
      ms.filter((m) => m !== a),
      k >> 3,
    );
    const prefix = computeAddressing(doc).domains.get(a.domain)?.prefix;
    const used = new Set(Object.values(machinesOf(doc, a.domain)).map((m) => m.ip));
    let host = 100;
    while (used.has(`${prefix}.${host}`)) host++;
    const ip = `${prefix}.${host}`;
    for (const m of [a, b]) {
      machinesOf(doc, m.domain)[m.name] = { ...machinesOf(doc, m.domain)[m.name], ip };
    }
    return {
      doc,
      code: "PLB304",
      severity: "error",
      paths: [a, b].map((m) => ["domains", m.domain, "machines", m.name, "ip"]),
      text: ip,
    };
  },

  "invalid name → PLB201": (e, k) => {
    const doc = clone(e.doc);
    const spoil = pick<(n: string) => string>(
      [(n) => `${n}A`, (n) => `${n}_x`, (n) => `-${n}`, (n) => `${n}.x`, (n) => `${n} x`],
      k,
    );
    if (k % 2 === 0 || e.machines.length === 0) {
      const d = pick(e.domains, k >> 1);
      const bad = spoil(d);
      renameKey(doc.domains, d, bad);
      return { doc, code: "PLB201", severity: "error", paths: [["domains", bad]], text: bad };
    }
    const m = pick(e.machines, k >> 1);
    const bad = spoil(m.name);
    renameKey(machinesOf(doc, m.domain), m.name, bad);
    return {
      doc,
      code: "PLB201",
      severity: "error",
      paths: [["domains", m.domain, "machines", bad]],
      text: bad,
    };
  },

  "unknown profile → PLB401": (e, k) => {
    const doc = clone(e.doc);
    const m = pick(ensureMachines(doc, e, 1), k);
    const machine = machinesOf(doc, m.domain)[m.name] as Record<string, unknown>;
    const profiles = [...((machine.profiles as string[] | undefined) ?? []), "no-such-profile"];
    machine.profiles = profiles;
    return {
      doc,
      code: "PLB401",
      severity: "error",
      paths: [["domains", m.domain, "machines", m.name, "profiles", profiles.length - 1]],
      text: "no-such-profile",
    };
  },

  "unknown policy endpoint → PLB402": (e, k) => {
    const doc = clone(e.doc);
    const policies = policiesOf(doc);
    const side = pick(["from", "to"] as const, k);
    const ghost = "no-such-endpoint-x";
    policies.push({
      from: side === "from" ? ghost : pick(e.domains, k),
      to: side === "to" ? ghost : "host",
    });
    return {
      doc,
      code: "PLB402",
      severity: "error",
      paths: [["network_policies", policies.length - 1, side]],
      text: ghost,
    };
  },

  "wrong type → PLB102": (e, k) => {
    const doc = clone(e.doc);
    const d = pick(e.domains, k);
    const m = pick(ensureMachines(doc, e, 1), k);
    const machine = machinesOf(doc, m.domain)[m.name] as Record<string, unknown>;
    const domain = doc.domains[d] as Record<string, unknown>;
    const cases: [JsonPath, () => void, string][] = [
      [["domains", d, "enabled"], () => (domain.enabled = "yes"), "yes"],
      [["domains", d, "subnet_id"], () => (domain.subnet_id = "3"), "3"],
      [["domains", m.domain, "machines", m.name, "gpu"], () => (machine.gpu = "true"), "true"],
      [["domains", m.domain, "machines", m.name, "ip"], () => (machine.ip = 12), "12"],
      [["domains", m.domain, "machines", m.name, "profiles"], () => (machine.profiles = "x"), "x"],
      [["project_name"], () => Object.assign(doc, { project_name: 5 }), "5"],
    ];
    const [path, apply, text] = pick(cases, k >> 2);
    apply();
    return { doc, code: "PLB102", severity: "error", paths: [path], text };
  },

  "value not allowed → PLB103": (e, k) => {
    const doc = clone(e.doc);
    const d = pick(e.domains, k);
    const m = pick(ensureMachines(doc, e, 1), k);
    const machine = machinesOf(doc, m.domain)[m.name] as Record<string, unknown>;
    const cases: [JsonPath, () => void, string][] = [
      [
        ["domains", d, "trust_level"],
        () => ((doc.domains[d] as { trust_level?: string }).trust_level = "semi"),
        "semi",
      ],
      [
        ["domains", m.domain, "machines", m.name, "type"],
        () => (machine.type = "docker"),
        "docker",
      ],
      [["global", "gpu_policy"], () => Object.assign(doc.global, { gpu_policy: "none" }), "none"],
      [
        ["global", "addressing", "base_octet"],
        () => Object.assign(doc.global.addressing, { base_octet: 172 }),
        "172",
      ],
    ];
    const [path, apply, text] = pick(cases, k >> 2);
    apply();
    return { doc, code: "PLB103", severity: "error", paths: [path], text };
  },

  "unknown key → PLB106 error": (e, k) => {
    const doc = clone(e.doc);
    const d = pick(e.domains, k);
    const m = pick(ensureMachines(doc, e, 1), k);
    const cases: [JsonPath, Record<string, unknown>, string][] = [
      [["export_apps"], doc as unknown as Record<string, unknown>, "export_apps"],
      [["global", "colour"], doc.global, "colour"],
      [["domains", d, "descripton"], doc.domains[d] as Record<string, unknown>, "descripton"],
      [
        ["domains", m.domain, "machines", m.name, "tpye"],
        machinesOf(doc, m.domain)[m.name] as Record<string, unknown>,
        "tpye",
      ],
    ];
    const [path, target, key] = pick(cases, k >> 2);
    target[key] = "x";
    return { doc, code: "PLB106", severity: "error", paths: [path], text: key };
  },

  "port out of range → PLB104": (e, k) => {
    const doc = clone(e.doc);
    const policies = policiesOf(doc);
    const port = k % 2 === 0 ? 0 : 65536 + (k % 1000);
    policies.push({ from: pick(e.domains, k), to: "host", ports: [port] });
    return {
      doc,
      code: "PLB104",
      severity: "error",
      paths: [["network_policies", policies.length - 1, "ports", 0]],
      text: String(port),
    };
  },
};

describe("(c) each mutation class produces its code at the mutated place", () => {
  for (const [name, mutate] of Object.entries(MUTATIONS)) {
    it(name, () => {
      fc.assert(
        fc.property(validEstate, fc.nat(), (e, k) => {
          const m = mutate(e, k);
          const loaded = loadText(stringify(m.doc));
          const r = check(loaded);

          const hits = r.diagnostics.filter(
            (d: Diagnostic) =>
              d.code === m.code &&
              m.paths.some((p) => JSON.stringify(p) === JSON.stringify(d.path)),
          );
          expect(hits.length, JSON.stringify(r.diagnostics.map((d) => [d.code, d.path]))).toBe(1);
          const hit = hits[0] as Diagnostic;
          expect(hit.severity).toBe(m.severity);
          const line = loaded.sources[0]?.lineText(hit.location?.line ?? 0) ?? "";
          expect(line).toContain(m.text);
          if (m.severity === "warning") {
            // The valid estate stays valid: only the warning (and the allowed ones) is added.
            expect(r.ok).toBe(true);
          }
        }),
        ESTATE_RUNS,
      );
    });
  }

  it("locates a mutation inside a domain file in directory mode", () => {
    fc.assert(
      fc.property(validEstate, fc.nat(), (e, k) => {
        const m = MUTATIONS["IP outside the subnet → PLB302"]?.(e, k) as Mutated;
        const domain = m.paths[0]?.[1] as string;

        const r = check(loadDir(toDir(m.doc as Doc)));

        const hit = r.diagnostics.find((d) => d.code === "PLB302");
        expect(hit?.location?.file).toBe(`infra/domains/${domain}.yml`);
      }),
      { numRuns: Math.round(50 * SCALE) },
    );
  });
});
