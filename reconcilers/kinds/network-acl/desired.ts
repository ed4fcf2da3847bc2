// network_policies → one ACL per enabled domain, named like its bridge and attached to it
// (network kind: `security.acls`, default ingress drop, egress allow). Each policy becomes ingress
// allow rules on the ACL of the domain it reaches: from a domain's subnet, a machine's address, or
// the host (the bridge's gateway); to the whole domain or one machine's address; the declared
// ports and protocol (both tcp and udp when ports are given without one); `bidirectional` adds the
// reverse rule. Traffic within a bridge is not filtered by it (Incus); policies to `host` are not
// bridge traffic and are not enforced here. Address-less bridges get no ACL (nothing routes
// between them). Pure.
import type { EstateDomain, EstateMachine } from "../../../core/model/estate.js";
import type { InfraPolicy } from "../../../core/model/infra.js";
import type { DesiredInput } from "../../desired.js";
import { ref } from "../../kit/desired-kit.js";
import { ownerLabels, sealSpec } from "../../kit/ownership.js";
import type { DesiredObject } from "../../model.js";
import { ACL_PROJECT } from "./observe.js";
import type { AclRule } from "./spec.js";

/** The bridge keys that attach a domain's ACL (the network kind declares them). */
export function aclBridgeConfig(network: string): Record<string, string> {
  return {
    "security.acls": network,
    "security.acls.default.ingress.action": "drop",
    "security.acls.default.egress.action": "allow",
  };
}

interface Endpoint {
  readonly domain: EstateDomain;
  /** CIDR of the endpoint; undefined = the whole domain when it is a destination. */
  readonly cidr: string | undefined;
}

function resolver(input: DesiredInput) {
  const domains = new Map(input.estate.domains.map((d) => [d.name, d]));
  const machines = new Map<string, EstateMachine>(input.estate.machines.map((m) => [m.name, m]));
  return (name: string): Endpoint | undefined => {
    const d = domains.get(name);
    if (d) return { domain: d, cidr: undefined };
    const m = machines.get(name);
    const md = m ? domains.get(m.domain) : undefined;
    if (!m || !md) return undefined;
    return { domain: md, cidr: m.ip ? `${m.ip}/32` : undefined };
  };
}

function rulesFor(p: InfraPolicy, from: string, to: Endpoint, src: Endpoint | "host"): AclRule[] {
  const source = src === "host" ? `${to.domain.gateway}/32` : (src.cidr ?? src.domain.subnet);
  const ports = Array.isArray(p.ports) && p.ports.length > 0 ? p.ports.join(",") : undefined;
  const protocols: (string | undefined)[] = p.protocol
    ? [p.protocol]
    : ports
      ? ["tcp", "udp"]
      : [undefined];
  const description = p.description ?? `${from} to ${p.to === from ? p.from : p.to}`;
  return protocols.map((protocol) => ({
    action: "allow",
    source,
    ...(to.cidr ? { destination: to.cidr } : {}),
    ...(protocol ? { protocol } : {}),
    ...(protocol && ports ? { destination_port: ports } : {}),
    description,
    state: "enabled",
  }));
}

export function desiredAcls(input: DesiredInput): DesiredObject<"network-acl">[] {
  if (input.options.bridgeAddresses === "none") return [];
  const resolve = resolver(input);
  const ingress = new Map<string, AclRule[]>();
  const add = (p: InfraPolicy, from: string, to: string) => {
    if (to === "host") return;
    const dst = resolve(to);
    const src = from === "host" ? "host" : resolve(from);
    if (!dst || !src) return;
    // Within one bridge the bridge's ACL does not apply (Incus): nothing to write.
    if (src !== "host" && src.domain.name === dst.domain.name) return;
    ingress.set(dst.domain.network, [
      ...(ingress.get(dst.domain.network) ?? []),
      ...rulesFor(p, from, dst, src),
    ]);
  };
  for (const p of input.estate.policies) {
    add(p, p.from, p.to);
    if (p.bidirectional) add(p, p.to, p.from);
  }
  return input.domains.map((d) => {
    const r = ref("network-acl", ACL_PROJECT, d.network);
    return {
      ref: r,
      spec: sealSpec({
        description: `Allowed flows into domain ${d.name} (plumb network_policies)`,
        config: ownerLabels(r, input.options.owner),
        ingress: ingress.get(d.network) ?? [],
        egress: [],
      }),
      deps: [],
    };
  });
}
