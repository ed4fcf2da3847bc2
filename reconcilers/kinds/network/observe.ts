// Bridges as plumb sees them: description and only the keys plumb sets, so keys the server or an
// operator adds (dns.*, bridge.mtu…) are kept and never reported.
import type { Network } from "../../drivers/incus/types.js";
import { pick, sortedConfig } from "../../kit/diff-fields.js";
import { digestOf, ownershipOf, PLUMB_PREFIX } from "../../kit/ownership.js";
import type { ObservedObject } from "../../model.js";
import type { NetworkSpec } from "./spec.js";

/** Bridge keys plumb declares (desired.ts bridgeConfig); removed from the live object when no longer declared. */
export const NETWORK_KEYS: ReadonlySet<string> = new Set([
  "ipv4.address",
  "ipv4.nat",
  "ipv4.dhcp",
  "ipv4.dhcp.ranges",
  "ipv4.firewall",
  "ipv6.address",
  "ipv6.nat",
  "ipv6.dhcp",
  "ipv6.firewall",
  // The domain's ACL (network-acl kind).
  "security.acls",
  "security.acls.default.ingress.action",
  "security.acls.default.egress.action",
]);
export const isNetworkKey = (k: string) => NETWORK_KEYS.has(k) || k.startsWith(PLUMB_PREFIX);

export function observeNetwork(
  n: Network,
  owner: string,
  /** Instances plumb does not own that use the bridge (they keep it from being deleted). */
  kept: readonly string[] = [],
): ObservedObject<"network"> {
  const ref = { kind: "network" as const, project: "default", name: n.name };
  const spec: NetworkSpec = {
    description: n.description ?? "",
    config: sortedConfig(pick(n.config ?? {}, isNetworkKey)),
  };
  return {
    ref,
    spec,
    ownership: ownershipOf(n.config ?? {}, ref, owner),
    hash: digestOf({ ...spec, type: n.type }),
    facts: { type: n.type, status: n.status ?? "Created", kept: kept.join(",") },
  };
}
