// Refuses bridges whose subnet the host already uses (an interface address or a route): anklume
// lost the host's network that way when a bridge took the LAN's subnet. Pure: the host's
// networks come from the host driver.
import { PlumbError } from "../core/errors.js";
import type { DesiredObject } from "./model.js";

export interface HostNetwork {
  readonly ifname: string;
  /** `192.168.1.0/24` (route) or `192.168.1.7/24` (address with its prefix). */
  readonly cidr: string;
  readonly source: "address" | "route";
}

function parseCidr(cidr: string): { base: number; bits: number } | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const ip = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  return { base: ip - (ip % size), bits };
}

export function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (!x || !y) return false;
  const bits = Math.min(x.bits, y.bits);
  const size = 2 ** (32 - bits);
  return Math.floor(x.base / size) === Math.floor(y.base / size);
}

/**
 * Throws PLB714 when a desired bridge's IPv4 subnet overlaps a host network, ignoring the
 * default route and interfaces that are Incus-managed networks (our own bridges among them).
 */
export function checkHostOverlap(
  desired: readonly DesiredObject[],
  host: readonly HostNetwork[],
  incusNetworks: ReadonlySet<string>,
): void {
  const problems: string[] = [];
  for (const d of desired) {
    if (d.ref.kind !== "network") continue;
    const address = (d.spec as { config: Record<string, string> }).config["ipv4.address"];
    if (address === undefined || !address.includes("/")) continue;
    for (const h of host) {
      if (incusNetworks.has(h.ifname) || h.cidr.endsWith("/0")) continue;
      if (overlaps(address, h.cidr)) {
        problems.push(`${d.ref.name} (${address}) overlaps ${h.cidr} (${h.source} on ${h.ifname})`);
      }
    }
  }
  if (problems.length > 0) {
    throw new PlumbError(
      "PLB714",
      `bridge subnets overlap the host's networks: ${problems.join("; ")}`,
      {
        hint: "choose other subnets (subnet_id / zone_base), or plan with --bridge-addresses none",
      },
    );
  }
}
