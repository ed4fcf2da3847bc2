// Verifies an audit log's text (pure): every line parses, hashes to its `hash`, points back to
// the line before and counts up by one. The first broken line is named; a last line without its
// newline is a torn write (a crash mid-append), reported as such.
import { type AuditEntry, GENESIS, hashEntry, parseEntry } from "./envelope.js";

export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

export type AuditProblem =
  | "unparsable"
  | "hash-mismatch"
  | "broken-link"
  | "sequence"
  | "torn-tail"
  | "truncated"
  | "rewritten";

export interface BadEntry {
  /** 1-based line of the log file. */
  readonly line: number;
  readonly id: string | undefined;
  readonly problem: AuditProblem;
  readonly message: string;
}

export interface AuditVerdict {
  readonly ok: boolean;
  readonly entries: readonly AuditEntry[];
  readonly head: AuditHead | undefined;
  /** The first problem found, undefined when the chain is whole. */
  readonly bad: BadEntry | undefined;
}

/** Splits log text into complete lines and the torn remainder (text after the last newline). */
export function splitLog(text: string): { lines: string[]; torn: string } {
  const end = text.lastIndexOf("\n");
  const whole = end < 0 ? "" : text.slice(0, end);
  const torn = text.slice(end + 1);
  return { lines: whole === "" ? [] : whole.split("\n"), torn };
}

export function verifyAuditText(text: string, anchor?: AuditHead): AuditVerdict {
  const { lines, torn } = splitLog(text);
  const entries: AuditEntry[] = [];
  let prev = GENESIS;
  const fail = (line: number, id: string | undefined, problem: AuditProblem, message: string) => ({
    ok: false,
    entries,
    head: headOf(entries),
    bad: { line, id, problem, message },
  });
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const e = parseEntry(lines[i] as string);
    if (e === undefined) return fail(n, undefined, "unparsable", `line ${n} is not an audit entry`);
    if (hashEntry(e) !== e.hash)
      return fail(n, e.id, "hash-mismatch", `entry ${e.id} (line ${n}) was altered`);
    if (e.prev !== prev)
      return fail(
        n,
        e.id,
        "broken-link",
        `entry ${e.id} (line ${n}) does not follow the entry before it (deleted, inserted or reordered)`,
      );
    if (e.seq !== n)
      return fail(n, e.id, "sequence", `entry ${e.id} (line ${n}) has sequence number ${e.seq}`);
    entries.push(e);
    prev = e.hash;
  }
  if (torn !== "")
    return fail(
      lines.length + 1,
      undefined,
      "torn-tail",
      `line ${lines.length + 1} is an incomplete write (${Buffer.byteLength(torn)} bytes, no newline): a crash during an append`,
    );
  if (anchor !== undefined && anchor.seq > 0) {
    const at = entries[anchor.seq - 1];
    if (at === undefined)
      return fail(
        entries.length + 1,
        undefined,
        "truncated",
        `the anchored head is entry ${anchor.seq} but the log ends at entry ${entries.length}: entries were removed`,
      );
    if (at.hash !== anchor.hash)
      return fail(
        anchor.seq,
        at.id,
        "rewritten",
        `entry ${at.id} (line ${anchor.seq}) is not the anchored head ${anchor.hash.slice(0, 12)}…: the log was rewritten`,
      );
  }
  return { ok: true, entries, head: headOf(entries), bad: undefined };
}

function headOf(entries: readonly AuditEntry[]): AuditHead | undefined {
  const last = entries[entries.length - 1];
  return last === undefined ? undefined : { seq: last.seq, hash: last.hash };
}
