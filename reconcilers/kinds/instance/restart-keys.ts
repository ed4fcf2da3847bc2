// Which instance changes take effect only after a restart. Containers: the config keys Incus
// documents as "Live update: no" (doc/config_options.txt, 6.0). Virtual machines: everything but
// a few keys Incus applies live, and every device change. Pure.
import type { InstanceType } from "../../drivers/incus/types.js";
import type { FieldChange } from "../../model.js";

/** Container keys that are not live-updatable (prefixes end with a dot). */
const CONTAINER_RESTART: readonly string[] = [
  "raw.idmap",
  "raw.lxc",
  "raw.seccomp",
  "security.devlxd",
  "security.devlxd.images",
  "security.idmap.base",
  "security.idmap.isolated",
  "security.idmap.size",
  "security.privileged",
  "security.syscalls.",
  "linux.sysctl.",
  "limits.kernel.",
  "nvidia.",
  "cloud-init.",
  "user.user-data",
  "user.vendor-data",
  "user.network-config",
];

/** VM keys applied live; every other VM config change needs a restart. */
const VM_LIVE: readonly string[] = [
  "boot.",
  "snapshots.",
  "user.",
  "environment.",
  "security.protection.",
  "limits.cpu",
  "limits.memory",
  "migration.",
  "cluster.",
];

const matches = (key: string, patterns: readonly string[]) =>
  patterns.some((p) => (p.endsWith(".") ? key.startsWith(p) : key === p));

export function needsRestart(type: InstanceType, key: string): boolean {
  if (type === "virtual-machine") return !matches(key, VM_LIVE);
  return matches(key, CONTAINER_RESTART);
}

/** The fields of `changes` a running instance of `type` only picks up after a restart. */
export function restartFields(type: InstanceType, changes: readonly FieldChange[]): string[] {
  const out: string[] = [];
  for (const c of changes) {
    if (c.path.startsWith("config.")) {
      if (needsRestart(type, c.path.slice("config.".length))) out.push(c.path);
    } else if (c.path.startsWith("devices.") && type === "virtual-machine") {
      out.push(c.path);
    }
  }
  return out;
}
