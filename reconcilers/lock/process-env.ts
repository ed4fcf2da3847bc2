// The real LockEnv: this host's name, this process, and process start times from /proc (Linux),
// so a lock left by a killed run on this host is recognized as stale at once.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { LockEnv } from "./incus-lock.js";

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined if no such process. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: split after its last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
}

export function processLockEnv(): LockEnv {
  return { host: hostname(), pid: process.pid, now: () => new Date(), processStart };
}
