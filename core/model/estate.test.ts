import { describe, expect, it } from "vitest";
import { minimalEstate, validateValue } from "../../tests/kit/infra.js";
import { computeAddressing } from "./addressing.js";
import { buildEstate, type Estate, FIREWALL_MACHINE } from "./estate.js";
import type { InfraDocument } from "./infra.js";

function estateOf(value: unknown): Estate {
  const r = validateValue(value);
  if (!r.ok || r.document === undefined)
    throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return buildEstate(r.document);
}

const machine = (e: Estate, name: string) => e.machines.find((m) => m.name === name);
const domain = (e: Estate, name: string) => e.domains.find((d) => d.name === name);

describe("buildEstate: domains", () => {
  it("applies anklume's defaults", () => {
    const e = estateOf(minimalEstate({ web: {}, ai: { ai_provider: "cloud" } }));
    expect(domain(e, "web")).toMatchObject({
      description: "",
      enabled: true,
      ephemeral: false,
      trustLevel: "semi-trusted",
      aiProvider: "local",
      aiSanitize: false,
      project: "web",
      network: "net-web",
      machines: [],
      profiles: {},
    });
    expect(domain(e, "ai")?.aiSanitize).toBe(true);
  });

  it("takes subnet and gateway from computeAddressing, not its own arithmetic", () => {
    const value = minimalEstate({
      b: { trust_level: "trusted" },
      a: { trust_level: "trusted" },
      c: { trust_level: "admin", subnet_id: 7 },
    });
    const plan = computeAddressing(value);
    const e = estateOf(value);
    for (const d of e.domains) {
      const addr = plan.domains.get(d.name);
      expect(d).toMatchObject({
        subnet: addr?.subnet,
        gateway: addr?.gateway,
        subnetId: addr?.seq,
        prefix: addr?.prefix,
      });
    }
  });

  it("leaves trust_level absent in legacy mode and defaults base_subnet", () => {
    const e = estateOf({ project_name: "t", global: {}, domains: { web: { subnet_id: 3 } } });
    expect(e.addressing).toEqual({ mode: "legacy", declared: undefined, baseSubnet: "10.100" });
    expect(domain(e, "web")).toMatchObject({ trustLevel: undefined, subnet: "10.100.3.0/24" });
  });

  it("keeps the user's addressing mapping as written (zone mode)", () => {
    const e = estateOf({ ...minimalEstate(), global: { addressing: { zone_base: 120 } } });
    expect(e.addressing).toEqual({
      mode: "zone",
      declared: { zone_base: 120 },
      baseSubnet: undefined,
    });
  });
});

describe("buildEstate: machines", () => {
  const value = {
    ...minimalEstate({
      lab: {
        ephemeral: true,
        machines: {
          keep: { ephemeral: false, os_image: "images:alpine/3.20" },
          temp: { type: "vm" },
          fixed: { ip: "10.120.0.50" },
        },
      },
      off: { enabled: false, machines: { dormant: { os_image: "images:fedora/40" } } },
    }),
    global: { addressing: { base_octet: 10 }, default_os_image: "images:debian/13" },
  };

  it("inherits ephemeral from the domain unless the machine says otherwise", () => {
    const e = estateOf(value);
    expect(machine(e, "keep")?.ephemeral).toBe(false);
    expect(machine(e, "temp")?.ephemeral).toBe(true);
  });

  it("resolves type, image and IP (explicit or automatic, as computeAddressing says)", () => {
    const e = estateOf(value);
    const plan = computeAddressing(value);
    for (const m of e.machines) {
      const a = plan.machines.find((x) => x.machine === m.name);
      expect(m.ip).toBe(a?.ip);
      expect(m.ipAuto).toBe(a?.auto);
    }
    expect(machine(e, "temp")).toMatchObject({ type: "vm", osImage: "images:debian/13" });
    expect(machine(e, "keep")).toMatchObject({ type: "lxc", osImage: "images:alpine/3.20" });
    expect(machine(e, "fixed")?.ip).toBe("10.120.0.50");
  });

  it("lists images sorted and unique, disabled domains included", () => {
    expect(estateOf(value).images).toEqual([
      "images:alpine/3.20",
      "images:debian/13",
      "images:fedora/40",
    ]);
  });

  it("keeps disabled domains and their machines in the model", () => {
    const e = estateOf(value);
    expect(domain(e, "off")?.enabled).toBe(false);
    expect(machine(e, "dormant")?.domain).toBe("off");
  });
});

describe("buildEstate: anklume's enrichment", () => {
  it("adds the firewall VM at .253 of the anklume domain when firewall_mode is vm", () => {
    const value = {
      ...minimalEstate({ anklume: { trust_level: "admin", machines: { ctl: {} } } }),
      global: { addressing: { base_octet: 10 }, firewall_mode: "vm" },
    };
    const e = estateOf(value);
    const prefix = computeAddressing(value).domains.get("anklume")?.prefix;
    expect(domain(e, "anklume")?.machines).toEqual(["ctl", FIREWALL_MACHINE]);
    expect(machine(e, FIREWALL_MACHINE)).toMatchObject({
      type: "vm",
      ip: `${prefix}.253`,
      ephemeral: false,
      origin: "firewall-vm",
      roles: ["base_system", "firewall_router"],
      config: { "limits.cpu": "2", "limits.memory": "2GiB" },
    });
  });

  it("adds no firewall VM when one is declared (legacy name too) or the mode is host", () => {
    const declared = {
      ...minimalEstate({ anklume: { machines: { "sys-firewall": { type: "vm" } } } }),
      global: { addressing: {}, firewall_mode: "vm" },
    };
    expect(machine(estateOf(declared), FIREWALL_MACHINE)).toBeUndefined();
    const host = minimalEstate({ anklume: {} });
    expect(machine(estateOf(host), FIREWALL_MACHINE)).toBeUndefined();
  });

  it("appends the exclusive-AI policy when none targets ai-tools", () => {
    const value = {
      ...minimalEstate({ "ai-tools": {}, work: {} }),
      global: { addressing: {}, ai_access_policy: "exclusive", ai_access_default: "work" },
    };
    expect(estateOf(value).policies).toEqual([
      {
        description: "AI access: work -> ai-tools (auto-created)",
        from: "work",
        to: "ai-tools",
        ports: "all",
        bidirectional: true,
      },
    ]);
    const withPolicy = { ...value, network_policies: [{ from: "work", to: "ai-tools" }] };
    expect(estateOf(withPolicy).policies).toEqual(withPolicy.network_policies);
  });

  it("generates sv-* then pd-* devices before the user's, a machine overriding its domain", () => {
    const e = estateOf({
      ...minimalEstate({
        lab: {
          machines: {
            m1: {
              persistent_data: { db: { path: "/var/lib/db", readonly: true } },
              devices: { gpu0: { type: "gpu" } },
            },
            m2: {},
          },
        },
      }),
      global: { addressing: {}, shared_volumes_base: "/srv/s" },
      shared_volumes: {
        docs: { consumers: { lab: "ro", m1: "rw" } },
        raw: { source: "/data/raw", path: "/raw", shift: false, consumers: { m2: "ro" } },
      },
    });
    const m1 = machine(e, "m1");
    expect(Object.keys(m1?.devices ?? {})).toEqual(["sv-docs", "pd-db", "gpu0"]);
    expect(m1?.devices["sv-docs"]).toEqual({
      type: "disk",
      source: "/srv/s/docs",
      path: "/shared/docs",
      shift: "true",
    });
    expect(m1?.devices["pd-db"]).toEqual({
      type: "disk",
      source: "/srv/anklume/data/lab/m1/db",
      path: "/var/lib/db",
      shift: "true",
      readonly: "true",
    });
    expect(machine(e, "m2")?.devices).toEqual({
      "sv-docs": {
        type: "disk",
        source: "/srv/s/docs",
        path: "/shared/docs",
        shift: "true",
        readonly: "true",
      },
      "sv-raw": { type: "disk", source: "/data/raw", path: "/raw", readonly: "true" },
    });
  });

  it("throws an internal error on a document that did not validate", () => {
    const bad = { project_name: "t", global: {}, domains: { web: {} } } as InfraDocument;
    expect(() => buildEstate(bad)).toThrow(/no address/);
  });
});
