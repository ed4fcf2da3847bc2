// A lock file for short critical sections between processes of this host (the audit append):
// created with O_EXCL, holding pid and process start time. A lock whose process is gone (kill -9)
// is taken over: renamed away atomically, so of two processes noticing it only one removes it.
import { randomBytes } from "node:crypto";
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { PlumbError } from "../errors.js";

interface Holder {
  readonly pid: number;
  readonly start: string | undefined;
  readonly host: string;
  readonly nonce: string;
}

/** Start time of a live process (field 22 of /proc/<pid>/stat), undefined when it is gone. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function readHolder(path: string): Holder | undefined | "unreadable" {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as Holder;
  } catch {
    return "unreadable";
  }
}

function isStale(h: Holder): boolean {
  if (h.host !== hostname()) return false;
  const start = processStart(h.pid);
  return start === undefined || (h.start !== undefined && start !== h.start);
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Runs `fn` holding the lock file `path` (synchronously: a kill -9 cannot leave a half state). */
export function withFileLock<T>(path: string, fn: () => T, waitMs = 10_000): T {
  const me: Holder = {
    pid: process.pid,
    start: processStart(process.pid),
    host: hostname(),
    nonce: randomBytes(8).toString("hex"),
  };
  const deadline = Date.now() + waitMs;
  let unreadableSince: number | undefined;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    try {
      const fd = openSync(path, "wx", 0o600);
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const h = readHolder(path);
    if (h === "unreadable") {
      // A holder killed between create and write leaves an empty file: stale after a moment.
      unreadableSince ??= Date.now();
      if (Date.now() - unreadableSince > 1_000) takeOver(path, undefined);
    } else if (h !== undefined && isStale(h)) {
      takeOver(path, h.nonce);
    }
    if (Date.now() > deadline) {
      const who = h && h !== "unreadable" ? ` by pid ${h.pid} on ${h.host}` : "";
      throw new PlumbError("PLB941", `${path} is held${who}`, {
        hint: "another plumb process is writing the audit log; retry in a moment",
      });
    }
    sleep(delay);
  }
  try {
    return fn();
  } finally {
    const h = readHolder(path);
    if (h !== undefined && h !== "unreadable" && h.nonce === me.nonce) unlinkSync(path);
  }
}

/** Moves a stale lock away; if what was moved is not the stale one, puts it back. */
function takeOver(path: string, staleNonce: string | undefined): void {
  const tomb = `${path}.stale-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(path, tomb);
  } catch {
    return; // someone else took it over first
  }
  const moved = readHolder(tomb);
  const wasStale =
    staleNonce === undefined
      ? moved === "unreadable"
      : typeof moved === "object" && moved.nonce === staleNonce;
  if (!wasStale) {
    try {
      linkSync(tomb, path); // a live holder's lock: restore it unless a new one exists already
    } catch {
      // a new lock exists; the live holder notices on release (nonce differs) and keeps going
    }
  }
  try {
    unlinkSync(tomb);
  } catch {
    // gone already
  }
}
