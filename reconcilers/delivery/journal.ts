// The contract run journal: `.plumb/journal/<machine>.jsonl`, one line per transition of a run
// (PENDING → CLAIMED → SUCCESS | FAILED), appended with O_APPEND in one write and fsync'd. Lines
// carry ids, hashes, codes, exit status, proof results and a log tail already scrubbed of secret
// values by the caller — never inputs. A torn last line (a killed run) is skipped on read.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { PlumbError } from "../../core/errors.js";
import { isTargetName } from "../../core/trust/manifest.js";

export const JOURNAL_DIR = join(".plumb", "journal");

export type RunStatus = "PENDING" | "CLAIMED" | "SUCCESS" | "FAILED";

export interface ProofResult {
  /** The step number in the contract (as in its log). */
  readonly step: number;
  /** What it checks: `bom /etc/motd`, `file_contains`, `service_active`, … */
  readonly proof: string;
  /** true passed, false failed, null not reached. */
  readonly ok: boolean | null;
}

export interface JournalRecord {
  /** ISO-8601 UTC. */
  readonly ts: string;
  /** The apply run id. */
  readonly run: string;
  readonly machine: string;
  /** Contract name (unique per machine). */
  readonly contract: string;
  /** The contract hash (`sha256:…`), as in the plan. */
  readonly hash: string;
  readonly status: RunStatus;
  /** `slug@version`. */
  readonly template?: string;
  /** The forged contract id (`c-…`), the name of its log on the target. */
  readonly id?: string;
  readonly seq?: number;
  /** PLB code of a failure (the verifier's own code for a refusal). */
  readonly code?: string;
  readonly message?: string;
  readonly exit?: number;
  readonly proofs?: readonly ProofResult[];
  readonly log_tail?: readonly string[];
  readonly ms?: number;
}

export function journalPath(root: string, machine: string): string {
  // Machine names are plain host names (validated in infra); refuse anything that could leave the dir.
  if (!isTargetName(machine) || machine.startsWith("."))
    throw new PlumbError(
      "PLB784",
      `machine name ${JSON.stringify(machine)} cannot name a journal file`,
    );
  return join(root, JOURNAL_DIR, `${machine}.jsonl`);
}

/** Appends one record (one write call, then fsync: a concurrent reader sees whole lines). */
export function appendJournal(root: string, record: JournalRecord): void {
  const path = journalPath(root, record.machine);
  mkdirSync(join(root, JOURNAL_DIR), { recursive: true });
  const fd = openSync(path, "a", 0o644);
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function isRecord(v: unknown): v is JournalRecord {
  if (v === null || typeof v !== "object") return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.ts === "string" &&
    typeof r.machine === "string" &&
    typeof r.contract === "string" &&
    typeof r.hash === "string" &&
    ["PENDING", "CLAIMED", "SUCCESS", "FAILED"].includes(r.status as string)
  );
}

/** Every record of one machine, oldest first. */
export function readJournal(root: string, machine: string): JournalRecord[] {
  let text: string;
  try {
    text = readFileSync(journalPath(root, machine), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  const lines = text.split("\n");
  const torn = !text.endsWith("\n");
  const out: JournalRecord[] = [];
  lines.forEach((line, i) => {
    if (line === "") return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      v = undefined;
    }
    if (isRecord(v)) out.push(v);
    else if (!(torn && i === lines.length - 1))
      throw new PlumbError(
        "PLB784",
        `${join(JOURNAL_DIR, `${machine}.jsonl`)}:${i + 1}: not a journal record`,
        { hint: "the journal is written by plumb only; move the file aside to start afresh" },
      );
  });
  return out;
}

/** Machines that have a journal. */
export function journalMachines(root: string): string[] {
  try {
    return readdirSync(join(root, JOURNAL_DIR))
      .filter((f) => f.endsWith(".jsonl"))
      .map((f) => f.slice(0, -".jsonl".length))
      .sort();
  } catch {
    return [];
  }
}

/** The latest record per contract of one machine (by contract name, in name order). */
export function latestPerContract(records: readonly JournalRecord[]): JournalRecord[] {
  const latest = new Map<string, JournalRecord>();
  for (const r of records) latest.set(r.contract, r);
  return [...latest.values()].sort((a, b) => a.contract.localeCompare(b.contract));
}
