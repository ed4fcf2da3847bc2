// Sticky addressing: the two silent renumberings, the lock file round trip, renumbers
// reported when the YAML asks for them, and a fresh estate numbered exactly like anklume.
import { describe, expect, it } from "vitest";
import { computeAddressing } from "./addressing.js";
import { lockOf, parseAddressLock, renderAddressLock } from "./addressing-lock.js";

const zone = (domains: Record<string, unknown>) => ({
  project_name: "t",
  global: { addressing: { base_octet: 10, zone_base: 100 } },
  domains,
});

const subnet = (doc: unknown, lockDoc: unknown, name: string) =>
  computeAddressing(doc, lockOf(computeAddressing(lockDoc))).domains.get(name)?.subnet;

describe("sticky addressing", () => {
  it("adding domain `api` does not move `ci` (issue 10, item 7)", () => {
    const before = zone({ ci: {} });
    const after = zone({ ci: {}, api: {} });
    // Without a lock (anklume): api sorts first and takes .0, ci moves to .1.
    expect(computeAddressing(after).domains.get("ci")?.subnet).toBe("10.120.1.0/24");
    // With the lock of the estate before: ci keeps .0, api takes the free .1.
    const lock = lockOf(computeAddressing(before));
    const plan = computeAddressing(after, lock);
    expect(plan.domains.get("ci")?.subnet).toBe("10.120.0.0/24");
    expect(plan.domains.get("api")?.subnet).toBe("10.120.1.0/24");
    expect(plan.renumbers).toEqual([]);
  });

  it("deleting web-front-2 does not move web-api (issue 10, item 7)", () => {
    const before = zone({
      web: { machines: { "web-front-1": {}, "web-front-2": {}, "web-api": {} } },
    });
    const after = zone({ web: { machines: { "web-front-1": {}, "web-api": {} } } });
    const lock = lockOf(computeAddressing(before));
    expect(lock.machines["web-api"]).toBe("10.120.0.3");
    const plan = computeAddressing(after, lock);
    expect(plan.machines.find((m) => m.machine === "web-api")?.ip).toBe("10.120.0.3");
    // A new machine takes the freed .2.
    const more = zone({ web: { machines: { "web-front-1": {}, "web-api": {}, new1: {} } } });
    const ips = computeAddressing(more, lock).machines.map((m) => `${m.machine}=${m.ip}`);
    expect(ips).toEqual(["web-front-1=10.120.0.1", "web-api=10.120.0.3", "new1=10.120.0.2"]);
  });

  it("a fresh estate (no lock) is numbered exactly as without the lock feature", () => {
    const doc = zone({ b: {}, a: { machines: { m1: {}, m2: { ip: "10.120.0.1" } } } });
    const fresh = computeAddressing(doc);
    const locked = computeAddressing(doc, lockOf(fresh));
    expect([...locked.domains]).toEqual([...fresh.domains]);
    expect(locked.machines).toEqual(fresh.machines);
    expect(locked.renumbers).toEqual([]);
  });

  it("an explicit change is a renumber: subnet_id, trust_level, ip, a claimed address", () => {
    const base = zone({ ci: {}, web: { machines: { w1: {}, w2: {} } } });
    const lock = lockOf(computeAddressing(base));
    const r = (doc: unknown) =>
      computeAddressing(doc, lock).renumbers.map((x) => `${x.kind} ${x.name} ${x.from}→${x.to}`);
    expect(r(zone({ ci: { subnet_id: 7 }, web: { machines: { w1: {}, w2: {} } } }))).toEqual([
      "domain ci 10.120.0.0/24→10.120.7.0/24",
    ]);
    expect(
      r(zone({ ci: { trust_level: "admin" }, web: { machines: { w1: {}, w2: {} } } })),
    ).toEqual(["domain ci 10.120.0.0/24→10.100.0.0/24"]);
    // w1 takes w2's recorded .2 explicitly: w2 must move, and says so.
    expect(r(zone({ ci: {}, web: { machines: { w1: { ip: "10.120.1.2" }, w2: {} } } }))).toEqual([
      "machine w1 10.120.1.1→10.120.1.2",
      "machine w2 10.120.1.2→10.120.1.1",
    ]);
    // web claims ci's recorded number: ci moves.
    expect(r(zone({ ci: {}, web: { subnet_id: 0, machines: { w1: {}, w2: {} } } }))).toContain(
      "domain ci 10.120.0.0/24→10.120.1.0/24",
    );
    expect(subnet(zone({ ci: {} }), base, "ci")).toBe("10.120.0.0/24");
  });
});

describe("addresses.lock.yml", () => {
  it("renders sorted and byte-stable, and parses back to the same lock", () => {
    const lock = lockOf(computeAddressing(zone({ b: { machines: { z: {}, a: {} } }, a: {} })));
    const text = renderAddressLock(lock);
    expect(text).toContain(
      "domains:\n  a: 10.120.0.0/24\n  b: 10.120.1.0/24\nmachines:\n  a: 10.120.1.2\n  z: 10.120.1.1\n",
    );
    expect(parseAddressLock(text, "infra/addresses.lock.yml")).toEqual({ lock, diagnostics: [] });
    expect(renderAddressLock(parseAddressLock(text, "x").lock)).toBe(text);
  });

  it("no file is an empty lock; a bad entry is PLB631 at its line and column", () => {
    expect(parseAddressLock(undefined, "x").lock).toEqual({ domains: {}, machines: {} });
    const bad = parseAddressLock(
      "domains:\n  a: 10.120.0.0/24\n  b: nonsense\nmachines: {}\n",
      "infra/addresses.lock.yml",
    );
    expect(bad.diagnostics).toHaveLength(1);
    expect(bad.diagnostics[0]).toMatchObject({
      code: "PLB631",
      severity: "error",
      location: { file: "infra/addresses.lock.yml", line: 3, column: 6 },
    });
    const syntax = parseAddressLock("domains: [\n", "l.yml");
    expect(syntax.diagnostics[0]?.code).toBe("PLB631");
    expect(parseAddressLock("other: 1\n", "l.yml").diagnostics[0]?.code).toBe("PLB631");
  });
});
