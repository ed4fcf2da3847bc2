// Synthesized estates for benchmarks, in the exact shape of anklume's benchmark generator
// (the shapes anklume's generator was measured on): N domains × M machines, zone addressing, no IPs.
// Pure: returns text; the callers write files.
import { stringify } from "yaml";

const LEVELS = ["admin", "trusted", "semi-trusted", "untrusted", "disposable"];
const pad = (n, w) => String(n).padStart(w, "0");

export function synthEstate(domainCount, machinesPerDomain) {
  const domains = {};
  for (let i = 0; i < domainCount; i++) {
    const d = `d${pad(i, 4)}`;
    const tl = LEVELS[i % 5];
    const machines = {};
    for (let j = 0; j < machinesPerDomain; j++) {
      machines[`${d}-m${pad(j, 2)}`] = {
        description: `Synthetic machine ${j} of ${d}`,
        type: tl === "untrusted" || tl === "disposable" ? "vm" : "lxc",
        config: { "limits.cpu": "1", "limits.memory": "512MiB" },
        roles: ["base_system"],
      };
    }
    domains[d] = {
      description: `Synthetic domain ${i}`,
      trust_level: tl,
      ephemeral: i % 2 === 1,
      machines,
    };
  }
  const policies = [];
  for (let i = 0; i + 1 < domainCount; i++) {
    policies.push({
      description: `d${i} to d${i + 1} ssh`,
      from: `d${pad(i, 4)}`,
      to: `d${pad(i + 1, 4)}`,
      ports: [22],
      protocol: "tcp",
    });
  }
  const base = {
    project_name: `bench-${domainCount}x${machinesPerDomain}`,
    global: {
      addressing: { base_octet: 10, zone_base: 100, zone_step: 10 },
      default_os_image: "images:debian/13",
      default_connection: "community.general.incus",
      default_user: "root",
    },
  };
  const single = { ...base, domains, ...(policies.length ? { network_policies: policies } : {}) };
  return {
    /** infra.yml text */
    file: `---\n${stringify(single, { lineWidth: 0 })}`,
    /** infra/ directory: relative path → text */
    dir: {
      "base.yml": `---\n${stringify(base, { lineWidth: 0 })}`,
      ...Object.fromEntries(
        Object.entries(domains).map(([n, d]) => [
          `domains/${n}.yml`,
          `---\n${stringify({ [n]: d }, { lineWidth: 0 })}`,
        ]),
      ),
      ...(policies.length
        ? { "policies.yml": `---\n${stringify({ network_policies: policies }, { lineWidth: 0 })}` }
        : {}),
    },
  };
}

/** Sizes of the benchmarks: N machines at 20 per domain. */
export const SIZES = [100, 1000, 5000];
export const PER_DOMAIN = 20;
