// The host's own IPv4 networks: interface addresses (`ip -json addr`) and routes
// (/proc/net/route, which needs no tool). Used to refuse bridges that would shadow them.
import { readFileSync } from "node:fs";
import { exec } from "../../../core/exec/exec.js";
import type { HostNetwork } from "../../host-overlap.js";

export interface HostDriver {
  networks(): HostNetwork[] | Promise<HostNetwork[]>;
}

async function addresses(): Promise<HostNetwork[]> {
  let r: { exitCode: number; stdout: string };
  try {
    r = await exec("ip", ["-json", "-4", "addr", "show"], { reject: false, timeoutMs: 10_000 });
  } catch {
    return []; // no `ip` (PLB090) or it hung: routes alone
  }
  if (r.exitCode !== 0) return [];
  try {
    const links = JSON.parse(r.stdout) as {
      ifname: string;
      addr_info?: { local: string; prefixlen: number; family: string }[];
    }[];
    return links.flatMap((l) =>
      (l.addr_info ?? [])
        .filter((a) => a.family === "inet")
        .map((a) => ({
          ifname: l.ifname,
          cidr: `${a.local}/${a.prefixlen}`,
          source: "address" as const,
        })),
    );
  } catch {
    return [];
  }
}

/** /proc/net/route holds little-endian hex destination and mask per interface. */
export function parseProcRoute(text: string): HostNetwork[] {
  const hex = (h: string) => {
    const n = Number.parseInt(h, 16);
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
  };
  const out: HostNetwork[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !f[0] || !f[1] || !f[7]) continue;
    const mask = hex(f[7]);
    const bits = mask.reduce((a, o) => a + (o.toString(2).match(/1/g)?.length ?? 0), 0);
    out.push({ ifname: f[0], cidr: `${hex(f[1]).join(".")}/${bits}`, source: "route" });
  }
  return out;
}

export function systemHostDriver(): HostDriver {
  return {
    async networks() {
      let routes: HostNetwork[] = [];
      try {
        routes = parseProcRoute(readFileSync("/proc/net/route", "utf8"));
      } catch {
        // No procfs (not Linux): addresses alone.
      }
      return [...(await addresses()), ...routes];
    },
  };
}
