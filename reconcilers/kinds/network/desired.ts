// One bridge `net-<domain>` per enabled domain, in the default project. Pure.
import type { EstateDomain } from "../../../core/model/estate.js";
import type { BridgeAddresses, DesiredInput } from "../../desired.js";
import type { ConfigMap } from "../../drivers/incus/types.js";
import { ref } from "../../kit/desired-kit.js";
import { ownerLabels, sealSpec } from "../../kit/ownership.js";
import { type DesiredObject, refId } from "../../model.js";
import { aclBridgeConfig } from "../network-acl/desired.js";

export function bridgeConfig(d: EstateDomain, mode: BridgeAddresses): ConfigMap {
  if (mode === "none") return { "ipv4.address": "none", "ipv6.address": "none" };
  // anklume's bridge: the domain's gateway, NAT out, DHCP for .100–.249, no IPv6.
  return {
    "ipv4.address": `${d.gateway}/24`,
    "ipv4.nat": "true",
    "ipv4.dhcp.ranges": `${d.prefix}.100-${d.prefix}.249`,
    "ipv6.address": "none",
  };
}

export function desiredNetworks(input: DesiredInput): DesiredObject<"network">[] {
  const { owner, bridgeAddresses } = input.options;
  // Bridges with addresses carry their domain's ACL (network-acl kind): it must exist first.
  const acl = bridgeAddresses === "declared";
  return input.domains.map((d) => {
    const r = ref("network", "default", d.network);
    return {
      ref: r,
      spec: sealSpec({
        description: d.description,
        config: {
          ...bridgeConfig(d, bridgeAddresses),
          ...(acl ? aclBridgeConfig(d.network) : {}),
          ...ownerLabels(r, owner),
        },
      }),
      deps: acl ? [refId(ref("network-acl", "default", d.network))] : [],
      ...(bridgeAddresses === "none"
        ? {
            notes: [
              "address-less bridge (bridge_addresses: none): machine IPs are not configured, and no ACL: nothing routes between address-less bridges nor to the host, so every flow between domains is cut (network_policies included)",
            ],
          }
        : {}),
    };
  });
}
