// network_policies → ACL rules: who may reach which domain, on which ports, from where.
import { describe, expect, it } from "vitest";
import { desiredFor, estateFromYaml } from "../../testing/estate-kit.js";
import type { NetworkAclSpec } from "./spec.js";

const ESTATE = estateFromYaml(`
project_name: lab
global: {addressing: {base_octet: 10, zone_base: 120}}
domains:
  web:
    subnet_id: 0
    machines: {web-1: {ip: 10.140.0.1}}
  data:
    subnet_id: 1
    machines: {db: {ip: 10.140.1.1}}
  ops:
    subnet_id: 2
    machines: {bastion: {ip: 10.140.2.1}}
network_policies:
  - {description: api to db, from: web-1, to: db, ports: [5432, 6379], protocol: tcp}
  - {from: ops, to: web, ports: [22]}
  - {from: host, to: bastion, ports: [22], protocol: tcp}
  - {from: web, to: ops, bidirectional: true}
  - {from: bastion, to: host, ports: [22], protocol: tcp}
  - {from: web-1, to: web, ports: [80], protocol: tcp}
`);

function acls(mode: "declared" | "none" = "declared"): Map<string, NetworkAclSpec> {
  const objects = desiredFor(ESTATE, { bridgeAddresses: mode }).objects;
  return new Map(
    objects
      .filter((o) => o.ref.kind === "network-acl")
      .map((o) => [o.ref.name, o.spec as NetworkAclSpec]),
  );
}

describe("network-acl desired", () => {
  it("one ACL per domain, named like its bridge, attached to it with default ingress drop", () => {
    const all = acls();
    expect([...all.keys()].sort()).toEqual(["net-data", "net-ops", "net-web"]);
    const objects = desiredFor(ESTATE, { bridgeAddresses: "declared" }).objects;
    const bridge = objects.find((o) => o.ref.kind === "network" && o.ref.name === "net-web");
    expect((bridge?.spec as { config?: Record<string, string> } | undefined)?.config).toMatchObject(
      {
        "security.acls": "net-web",
        "security.acls.default.ingress.action": "drop",
        "security.acls.default.egress.action": "drop",
      },
    );
    expect(bridge?.deps).toEqual(["network-acl:default/net-web"]);
    expect(all.get("net-web")?.config["user.plumb.id"]).toBe("network-acl/default/net-web");
  });

  it("machine to machine: source and destination addresses, the declared ports", () => {
    expect(acls().get("net-data")?.ingress).toEqual([
      {
        action: "allow",
        source: "10.140.0.1/32",
        destination: "10.140.1.1/32",
        protocol: "tcp",
        destination_port: "5432,6379",
        description: "api to db",
        state: "enabled",
      },
    ]);
  });

  it("domain to domain without a protocol: tcp and udp; bidirectional adds the reverse; host is the gateway", () => {
    const web = acls().get("net-web")?.ingress ?? [];
    expect(web.map((r) => [r.source, r.protocol, r.destination_port])).toEqual([
      ["10.140.2.0/24", "tcp", "22"],
      ["10.140.2.0/24", "udp", "22"],
      ["10.140.2.0/24", undefined, undefined],
    ]);
    const ops = acls().get("net-ops")?.ingress ?? [];
    expect(ops.map((r) => [r.source, r.destination, r.protocol])).toEqual([
      ["10.140.2.254/32", "10.140.2.1/32", "tcp"],
      ["10.140.0.0/24", undefined, undefined],
    ]);
  });

  it("egress: anything but the host's bridge addresses; a policy to the host opens its ports", () => {
    const ops = acls().get("net-ops")?.egress ?? [];
    const [leaving, ...toHost] = ops;
    const cidrs = leaving?.destination?.split(",") ?? [];
    // 32 prefixes around each of the 3 gateways, minus the ones they share.
    expect(cidrs.length).toBeGreaterThan(32);
    expect(cidrs).toContain("10.140.0.255/32");
    expect(cidrs.some((c) => c.startsWith("10.140.0.254/"))).toBe(false);
    expect(leaving).toMatchObject({ action: "allow", state: "enabled" });
    expect(leaving?.protocol).toBeUndefined();
    expect(toHost).toEqual([
      {
        action: "allow",
        source: "10.140.2.1/32",
        destination: "10.140.0.254/32,10.140.1.254/32,10.140.2.254/32",
        protocol: "tcp",
        destination_port: "22",
        description: "bastion to host",
        state: "enabled",
      },
    ]);
    expect(acls().get("net-web")?.egress).toHaveLength(1);
  });

  it("a policy within one bridge adds no rule but a note; address-less bridges get no ACL", () => {
    const rules = [...acls().values()].flatMap((a) => [...a.ingress, ...a.egress]);
    expect(rules.some((r) => r.destination_port === "80")).toBe(false);
    const objects = desiredFor(ESTATE, { bridgeAddresses: "declared" }).objects;
    const web = objects.find((o) => o.ref.kind === "network-acl" && o.ref.name === "net-web");
    expect(web?.notes).toEqual([
      "policy web-1 → web stays inside domain web: Incus bridge ACLs do not filter traffic within one bridge, so it passes with or without the policy",
    ]);
    expect(acls("none").size).toBe(0);
  });
});
