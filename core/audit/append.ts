// appendAudit: adds one event to `.plumb/audit/audit.jsonl` under a lock file, chained to the
// last entry, written with O_APPEND and fsync'd before returning. A torn last line (a process
// killed mid-write) is moved aside into a `torn-*.fragment` file and recorded as its own
// `audit.torn-tail` event: detected and reported, never silently accepted or chained onto.
import { createHash, randomUUID } from "node:crypto";
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
} from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { PlumbError } from "../errors.js";
import { fsyncDir } from "../io/atomic-write.js";
import {
  type AuditEntry,
  type AuditType,
  checkEvent,
  entryLine,
  GENESIS,
  hashEntry,
  type Priority,
  parseEntry,
  seal,
} from "./envelope.js";
import { withFileLock } from "./file-lock.js";

export const AUDIT_DIR = join(".plumb", "audit");
export const AUDIT_FILE = "audit.jsonl";

export interface AuditEvent {
  readonly type: AuditType;
  readonly priority: Priority;
  /** Who did it; default: PLUMB_ACTOR, GITHUB_ACTOR, else user@host. */
  readonly actor?: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly parent_id?: string | null;
}

export function auditPath(root: string): string {
  return join(root, AUDIT_DIR, AUDIT_FILE);
}

export function defaultActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PLUMB_ACTOR) return env.PLUMB_ACTOR;
  if (env.GITHUB_ACTOR) return `github:${env.GITHUB_ACTOR}`;
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers)
  }
  return `${user}@${hostname()}`;
}

/** The last complete line of the open file and where it ends, plus any torn bytes after it. */
function readTail(fd: number): { last: string | undefined; end: number; torn: Buffer } {
  const size = fstatSync(fd).size;
  let chunk = 4096;
  for (;;) {
    const start = Math.max(0, size - chunk);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    const lastNl = buf.lastIndexOf(0x0a);
    const torn = lastNl < 0 ? (start === 0 ? buf : undefined) : buf.subarray(lastNl + 1);
    if (torn !== undefined && lastNl < 0) return { last: undefined, end: 0, torn }; // no complete line at all
    if (torn !== undefined) {
      const prevNl = lastNl > 0 ? buf.lastIndexOf(0x0a, lastNl - 1) : -1;
      if (prevNl >= 0 || start === 0) {
        const last = buf.subarray(prevNl + 1, lastNl).toString("utf8");
        return { last, end: start + lastNl + 1, torn };
      }
    }
    if (start === 0) return { last: undefined, end: 0, torn: buf };
    chunk *= 4;
  }
}

function writeLine(fd: number, line: string): void {
  const buf = Buffer.from(line, "utf8");
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  fsyncSync(fd);
}

/**
 * Appends one event and returns it as written. Synchronous so that the entry is on disk before
 * the action it records goes on (a kill -9 right after still leaves it).
 */
export function appendAudit(
  root: string,
  event: AuditEvent,
  options: { now?: () => Date; env?: NodeJS.ProcessEnv } = {},
): AuditEntry {
  checkEvent(event.type, event.priority, event.payload);
  const dir = join(root, AUDIT_DIR);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new PlumbError("PLB944", `cannot create ${dir}: ${(e as Error).message}`);
  }
  const now = options.now ?? (() => new Date());
  const actor = event.actor ?? defaultActor(options.env);
  return withFileLock(join(dir, "audit.lock"), () => {
    const fd = openSync(auditPath(root), "a+", 0o600);
    try {
      if (fstatSync(fd).size === 0) fsyncDir(dir);
      const { last, end, torn } = readTail(fd);
      let prevEntry = last === undefined ? undefined : parseEntry(last);
      if (
        last !== undefined &&
        (prevEntry === undefined || hashEntry(prevEntry) !== prevEntry.hash)
      )
        throw new PlumbError("PLB940", `the last entry of ${auditPath(root)} is not valid`, {
          hint: "run `plumb audit verify`; nothing is appended to a log that does not verify",
        });
      const next = (type: AuditType, priority: Priority, payload: Record<string, unknown>) => {
        const e = seal({
          id: randomUUID(),
          parent_id: type === event.type ? (event.parent_id ?? null) : null,
          seq: (prevEntry?.seq ?? 0) + 1,
          ts: now().toISOString(),
          actor,
          type,
          priority,
          payload,
          prev: prevEntry?.hash ?? GENESIS,
        });
        writeLine(fd, entryLine(e));
        prevEntry = e;
        return e;
      };
      if (torn.length > 0) {
        const saved = `torn-${now().toISOString().replace(/[:.]/g, "")}-${randomUUID().slice(0, 8)}.fragment`;
        const out = openSync(join(dir, saved), "wx", 0o600);
        try {
          writeSync(out, torn);
          fsyncSync(out);
        } finally {
          closeSync(out);
        }
        ftruncateSync(fd, end);
        fsyncSync(fd);
        next("audit.torn-tail", "P1", {
          bytes: torn.length,
          sha256: createHash("sha256").update(torn).digest("hex"),
          saved_as: saved,
          note: "a previous append was interrupted (crash or kill) and left an incomplete line",
        });
      }
      return next(event.type, event.priority, { ...event.payload });
    } finally {
      closeSync(fd);
    }
  });
}
