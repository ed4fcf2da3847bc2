// network_policies → one ACL per enabled domain, named like its bridge and attached to it
// (network kind: `security.acls`, default ingress drop, default egress drop). Ingress: each policy
// becomes allow rules on the ACL of the domain it reaches: from a domain's subnet, a machine's
// address, or the host (the bridge's gateway); to the whole domain or one machine's address; the
// declared ports and protocol (both tcp and udp when ports are given without one);
// `bidirectional` adds the reverse rule. Egress: everything but the host's addresses on the
// estate's bridges (every domain's gateway) is allowed — the destination's ingress ACL decides —
// and a policy `to: host` adds an allow rule to those addresses; so a domain reaches the host only
// where a policy says so (Incus's DHCP, DNS and ICMP rules come first and always pass). Traffic
// within a bridge is not filtered by it (Incus): a policy inside one domain adds no rule, only a
// note. Address-less bridges get no ACL: nothing routes between them nor to the host. Pure.
import type { EstateDomain, EstateMachine } from "../../../core/model/estate.js";
import type { InfraPolicy } from "../../../core/model/infra.js";
import type { DesiredInput } from "../../desired.js";
import { ref } from "../../kit/desired-kit.js";
import { ownerLabels, sealSpec } from "../../kit/ownership.js";
import type { DesiredObject } from "../../model.js";
import { complementOf } from "./cidr.js";
import { ACL_PROJECT } from "./observe.js";
import type { AclRule } from "./spec.js";

/** The bridge keys that attach a domain's ACL (the network kind declares them). */
export function aclBridgeConfig(network: string): Record<string, string> {
  return {
    "security.acls": network,
    "security.acls.default.ingress.action": "drop",
    "security.acls.default.egress.action": "drop",
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

function rulesFor(
  p: InfraPolicy,
  from: string,
  to: Endpoint | { readonly host: string },
  src: Endpoint | "host",
): AclRule[] {
  const source =
    src === "host"
      ? `${"domain" in to ? to.domain.gateway : ""}/32`
      : (src.cidr ?? src.domain.subnet);
  const destination = "domain" in to ? to.cidr : to.host;
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
    ...(destination ? { destination } : {}),
    ...(protocol ? { protocol } : {}),
    ...(protocol && ports ? { destination_port: ports } : {}),
    description,
    state: "enabled",
  }));
}

export function desiredAcls(input: DesiredInput): DesiredObject<"network-acl">[] {
  if (input.options.bridgeAddresses === "none") return [];
  const resolve = resolver(input);
  // The host as the domains see it: its address on every bridge of the estate.
  const hostAddresses = input.estate.domains.map((d) => d.gateway).sort();
  const toHost = { host: hostAddresses.map((a) => `${a}/32`).join(",") };
  const ingress = new Map<string, AclRule[]>();
  const egress = new Map<string, AclRule[]>();
  const notes = new Map<string, string[]>();
  const push = (m: Map<string, AclRule[]>, k: string, rules: AclRule[]) =>
    m.set(k, [...(m.get(k) ?? []), ...rules]);
  const add = (p: InfraPolicy, from: string, to: string) => {
    const src = from === "host" ? "host" : resolve(from);
    if (to === "host") {
      if (src && src !== "host") push(egress, src.domain.network, rulesFor(p, from, toHost, src));
      return;
    }
    const dst = resolve(to);
    if (!dst || !src) return;
    if (src !== "host" && src.domain.name === dst.domain.name) {
      // Within one bridge the bridge's ACL does not apply (Incus): nothing to write, but say so.
      const what = p.description ? `'${p.description}'` : `${from} → ${to}`;
      notes.set(dst.domain.network, [
        ...(notes.get(dst.domain.network) ?? []),
        `policy ${what} stays inside domain ${dst.domain.name}: Incus bridge ACLs do not filter traffic within one bridge, so it passes with or without the policy`,
      ]);
      return;
    }
    push(ingress, dst.domain.network, rulesFor(p, from, dst, src));
  };
  for (const p of input.estate.policies) {
    add(p, p.from, p.to);
    if (p.bidirectional) add(p, p.to, p.from);
  }
  const leaving: AclRule = {
    action: "allow",
    destination: complementOf(hostAddresses).join(","),
    description: "anything but the host (the destination's own ACL decides)",
    state: "enabled",
  };
  return input.domains.map((d) => {
    const r = ref("network-acl", ACL_PROJECT, d.network);
    const said = notes.get(d.network);
    return {
      ref: r,
      spec: sealSpec({
        description: `Allowed flows into domain ${d.name} (plumb network_policies)`,
        config: ownerLabels(r, input.options.owner),
        ingress: ingress.get(d.network) ?? [],
        egress: [leaving, ...(egress.get(d.network) ?? [])],
      }),
      deps: [],
      ...(said ? { notes: said } : {}),
    };
  });
}
