// The addressing of anklume (docs/infra-reference.md), computed once: anklume's own addressing examples
// (tests/test_addressing.py) and the cases where we refuse what anklume would compute.
import { describe, expect, it } from "vitest";
import { computeAddressing, isRecord, isTrustLevel, parseIPv4 } from "./addressing.js";

const zone = (domains: Record<string, unknown>, addressing: Record<string, unknown> = {}) => ({
  project_name: "t",
  global: { addressing: { base_octet: 10, ...addressing } },
  domains,
});

const subnets = (doc: unknown) =>
  Object.fromEntries([...computeAddressing(doc).domains].map(([name, a]) => [name, a.subnet]));

const ips = (doc: unknown) =>
  Object.fromEntries(computeAddressing(doc).machines.map((m) => [m.machine, m.ip]));

describe("zone mode", () => {
  it("numbers each trust zone from zone_base (100) plus the zone offset; gateway .254", () => {
    // Arrange
    const doc = zone({
      a: { trust_level: "admin" },
      t: { trust_level: "trusted" },
      s: {},
      u: { trust_level: "untrusted" },
      d: { trust_level: "disposable" },
    });
    // Act
    const plan = computeAddressing(doc);
    // Assert
    expect(plan.mode).toBe("zone");
    expect(plan.problems).toEqual([]);
    expect(subnets(doc)).toEqual({
      a: "10.100.0.0/24",
      t: "10.110.0.0/24",
      s: "10.120.0.0/24",
      u: "10.140.0.0/24",
      d: "10.150.0.0/24",
    });
    expect(plan.domains.get("u")).toEqual({
      domain: "u",
      seq: 0,
      trustLevel: "untrusted",
      prefix: "10.140.0",
      subnet: "10.140.0.0/24",
      gateway: "10.140.0.254",
    });
  });

  it("defaults the trust level to semi-trusted", () => {
    expect(computeAddressing(zone({ web: {} })).domains.get("web")?.trustLevel).toBe(
      "semi-trusted",
    );
  });

  it("sequences each zone by domain name, not declaration order", () => {
    const doc = zone({
      zeta: {},
      alpha: {},
      mid: {},
      ops: { trust_level: "admin" },
    });

    expect(subnets(doc)).toEqual({
      alpha: "10.120.0.0/24",
      mid: "10.120.1.0/24",
      zeta: "10.120.2.0/24",
      ops: "10.100.0.0/24",
    });
  });

  it("sorts names by code point: '-' before digits before letters (as Python does)", () => {
    const plan = computeAddressing(zone({ ab: {}, a1: {}, "a-b": {} }));

    expect(plan.domains.get("a-b")?.seq).toBe(0);
    expect(plan.domains.get("a1")?.seq).toBe(1);
    expect(plan.domains.get("ab")?.seq).toBe(2);
  });

  it("reserves explicit subnet_ids first; the automatic sequence skips them", () => {
    const doc = zone({ beta: {}, alpha: { subnet_id: 1 }, gamma: {}, delta: { subnet_id: 0 } });

    const plan = computeAddressing(doc);

    expect(plan.problems).toEqual([]);
    expect(Object.fromEntries([...plan.domains].map(([n, a]) => [n, a.seq]))).toEqual({
      alpha: 1,
      delta: 0,
      beta: 2,
      gamma: 3,
    });
  });

  it("allows one subnet_id in two zones, not twice in one zone", () => {
    const ok = computeAddressing(
      zone({ a: { subnet_id: 5, trust_level: "admin" }, b: { subnet_id: 5 } }),
    );
    const clash = computeAddressing(zone({ b: { subnet_id: 5 }, a: { subnet_id: 5 } }));

    expect(ok.problems).toEqual([]);
    expect(clash.problems.map((p) => [p.code, p.path])).toEqual([
      ["PLB305", ["domains", "b", "subnet_id"]],
    ]);
  });

  it("uses a custom zone_base", () => {
    const doc = zone(
      { a: { trust_level: "admin" }, d: { trust_level: "disposable" } },
      {
        zone_base: 50,
      },
    );

    expect(subnets(doc)).toEqual({ a: "10.50.0.0/24", d: "10.100.0.0/24" });
  });

  it("refuses zones past 10.255 instead of computing 10.260.x.x (PLB307)", () => {
    const plan = computeAddressing(zone({ t: { trust_level: "trusted" } }, { zone_base: 250 }));

    expect(plan.problems.map((p) => [p.code, p.path])).toEqual([
      ["PLB307", ["global", "addressing", "zone_base"]],
    ]);
    expect(plan.domains.has("t")).toBe(false);
  });

  it("refuses a 256th domain in a zone (PLB308) instead of computing 10.120.255", () => {
    const domains = Object.fromEntries(
      Array.from({ length: 256 }, (_, i) => [`d${String(i).padStart(3, "0")}`, {}]),
    );

    const plan = computeAddressing(zone(domains));

    expect(plan.problems.map((p) => [p.code, p.path, p.target])).toEqual([
      ["PLB308", ["domains", "d255"], "key"],
    ]);
    expect(plan.domains.get("d254")?.subnet).toBe("10.120.254.0/24");
    expect(plan.domains.has("d255")).toBe(false);
  });

  it("still addresses disabled domains, which keep their place in the sequence", () => {
    const doc = zone({
      a: { enabled: false, machines: { a1: {} } },
      b: { machines: { b1: {} } },
    });

    expect(subnets(doc)).toEqual({ a: "10.120.0.0/24", b: "10.120.1.0/24" });
    expect(ips(doc)).toEqual({ a1: "10.120.0.1", b1: "10.120.1.1" });
  });

  it("treats `addressing: {}` as zone mode with the defaults", () => {
    const plan = computeAddressing({ global: { addressing: {} }, domains: { web: {} } });

    expect(plan.mode).toBe("zone");
    expect(plan.domains.get("web")?.subnet).toBe("10.120.0.0/24");
  });
});

describe("automatic IPs (zone mode)", () => {
  it("assigns .1 upward in declaration order, skipping explicit IPs of the domain", () => {
    const doc = zone({
      web: {
        machines: {
          m1: {},
          m2: { ip: "10.120.0.1" },
          m3: {},
          m4: { ip: "10.120.0.3" },
          m5: { ip: "" },
        },
      },
    });

    const plan = computeAddressing(doc);

    expect(plan.machines).toEqual([
      { domain: "web", machine: "m1", ip: "10.120.0.2", auto: true },
      { domain: "web", machine: "m2", ip: "10.120.0.1", auto: false },
      { domain: "web", machine: "m3", ip: "10.120.0.4", auto: true },
      { domain: "web", machine: "m4", ip: "10.120.0.3", auto: false },
      { domain: "web", machine: "m5", ip: "10.120.0.5", auto: true },
    ]);
  });

  it("ignores explicit IPs outside the domain's subnet when choosing free numbers", () => {
    const doc = zone({ web: { machines: { x: { ip: "10.120.7.1" }, m1: {} } } });

    expect(ips(doc)).toEqual({ x: "10.120.7.1", m1: "10.120.0.1" });
  });

  it("stops at .99 (PLB309) for the machine that finds no free number", () => {
    const machines = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`m${i + 1}`, {}]));

    const plan = computeAddressing(zone({ web: { machines } }));

    expect(plan.machines[98]).toMatchObject({ machine: "m99", ip: "10.120.0.99" });
    expect(plan.machines[99]).toEqual({
      domain: "web",
      machine: "m100",
      ip: undefined,
      auto: true,
    });
    expect(plan.problems.map((p) => [p.code, p.path])).toEqual([
      ["PLB309", ["domains", "web", "machines", "m100"]],
    ]);
  });

  it("reports a non-string explicit ip as no address, not as an automatic one", () => {
    const plan = computeAddressing(zone({ web: { machines: { m1: { ip: 5 }, m2: {} } } }));

    expect(plan.machines).toEqual([
      { domain: "web", machine: "m1", ip: undefined, auto: false },
      { domain: "web", machine: "m2", ip: "10.120.0.1", auto: true },
    ]);
  });
});

describe("legacy mode (no global.addressing)", () => {
  it("uses <base_subnet>.<subnet_id>.0/24 and keeps trust levels as declared", () => {
    const doc = {
      global: { base_subnet: "172.16" },
      domains: { a: { subnet_id: 0 }, b: { subnet_id: 254, trust_level: "admin" } },
    };

    const plan = computeAddressing(doc);

    expect(plan.mode).toBe("legacy");
    expect(subnets(doc)).toEqual({ a: "172.16.0.0/24", b: "172.16.254.0/24" });
    expect(plan.domains.get("a")?.trustLevel).toBeUndefined();
    expect(plan.domains.get("b")?.gateway).toBe("172.16.254.254");
  });

  it("defaults base_subnet to 10.100", () => {
    expect(subnets({ global: {}, domains: { a: { subnet_id: 3 } } })).toEqual({
      a: "10.100.3.0/24",
    });
  });

  it("assigns no IPs; explicit ones are kept", () => {
    const doc = {
      global: {},
      domains: { a: { subnet_id: 1, machines: { m1: {}, m2: { ip: "10.100.1.9" } } } },
    };

    expect(computeAddressing(doc).machines).toEqual([
      { domain: "a", machine: "m1", ip: undefined, auto: false },
      { domain: "a", machine: "m2", ip: "10.100.1.9", auto: false },
    ]);
  });

  it("requires subnet_id (PLB306) and refuses it twice (PLB305)", () => {
    const plan = computeAddressing({
      global: {},
      domains: { a: {}, b: { subnet_id: 1 }, c: { subnet_id: 1 } },
    });

    expect(plan.problems.map((p) => [p.code, p.path])).toEqual([
      ["PLB306", ["domains", "a"]],
      ["PLB305", ["domains", "c", "subnet_id"]],
    ]);
    expect([...plan.domains.keys()]).toEqual(["b"]);
  });

  it("refuses a base_subnet that is not two real octets (PLB310)", () => {
    for (const base_subnet of ["10", "10.256", "10.1.2", 10.1, "x.y"]) {
      const plan = computeAddressing({ global: { base_subnet }, domains: { a: { subnet_id: 1 } } });

      expect(plan.problems.map((p) => p.code)).toEqual(["PLB310"]);
      expect(plan.domains.size).toBe(0);
    }
  });
});

describe("totality", () => {
  it.each([
    null,
    undefined,
    42,
    "text",
    [],
    { domains: 5 },
    { domains: { a: null, b: [], c: "x" } },
    { global: { addressing: { zone_base: "high" } }, domains: { a: { machines: [1, 2] } } },
    { global: { addressing: null }, domains: { a: { machines: { m: null } } } },
    { global: { base_subnet: null }, domains: { a: { subnet_id: "1" } } },
  ])("returns a plan, never throws, for %j", (doc) => {
    expect(() => computeAddressing(doc)).not.toThrow();
  });
});

describe("parseIPv4", () => {
  it("accepts strict dotted quads", () => {
    expect(parseIPv4("10.120.0.5")).toEqual([10, 120, 0, 5]);
    expect(parseIPv4("0.0.0.0")).toEqual([0, 0, 0, 0]);
    expect(parseIPv4("255.255.255.255")).toEqual([255, 255, 255, 255]);
  });

  it.each(["10.120.0.256", "10.120.0", "10.120.0.5/24", "010.1.1.1", "1.2.3.4 ", "a.b.c.d", ""])(
    "rejects %j",
    (s) => {
      expect(parseIPv4(s)).toBeUndefined();
    },
  );

  it("rejects non-strings", () => {
    expect(parseIPv4(167772161)).toBeUndefined();
    expect(parseIPv4(null)).toBeUndefined();
  });
});

describe("guards", () => {
  it("isTrustLevel and isRecord", () => {
    expect(isTrustLevel("semi-trusted")).toBe(true);
    expect(isTrustLevel("semi")).toBe(false);
    expect(isRecord({})).toBe(true);
    expect(isRecord([])).toBe(false);
    expect(isRecord(null)).toBe(false);
  });
});
