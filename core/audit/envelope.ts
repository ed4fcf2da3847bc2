// The audit envelope (the event shape: id, parent id, timestamp, sender, type, priority)
// plus the hash chain: every entry carries the hash of the entry before it and its own hash over
// its canonical JSON (RFC 8785), so an edit, insertion, deletion or reordering breaks the chain.
import { createHash } from "node:crypto";
import { PlumbError } from "../errors.js";
import { canonicalize } from "../signing/canonical-json.js";

export const AUDIT_TYPES = [
  "plan",
  "approval",
  "lock.acquire",
  "lock.release",
  "snapshot",
  "apply.start",
  "apply.step",
  "apply.end",
  "rollback",
  "contract.verify",
  "contract.run",
  "contract.denied",
  "refusal",
  "freeze.override",
  "drift",
  "reconcile.step",
  "audit.torn-tail",
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

export const PRIORITIES = ["P0", "P1", "P2", "P3"] as const;
/** P0 emergency (freeze override), P1 security-relevant (refusals, approvals), P2 changes, P3 routine. */
export type Priority = (typeof PRIORITIES)[number];

/** The hash an entry at the start of a chain points back to. */
export const GENESIS = "0".repeat(64);

export interface AuditEntry {
  readonly id: string;
  /** The event this one follows from (an apply step's apply.start), or null. */
  readonly parent_id: string | null;
  /** 1 for the first entry, then +1 per entry. */
  readonly seq: number;
  readonly ts: string;
  readonly actor: string;
  readonly type: AuditType;
  readonly priority: Priority;
  readonly payload: Readonly<Record<string, unknown>>;
  /** `hash` of the entry before, GENESIS for the first. */
  readonly prev: string;
  /** sha256 (hex) of the canonical JSON of every other field. */
  readonly hash: string;
}

export type UnsealedEntry = Omit<AuditEntry, "hash">;

export function hashEntry(entry: UnsealedEntry): string {
  const { id, parent_id, seq, ts, actor, type, priority, payload, prev } = entry;
  const body = canonicalize({ id, parent_id, seq, ts, actor, type, priority, payload, prev });
  return createHash("sha256").update(body, "utf8").digest("hex");
}

export function seal(entry: UnsealedEntry): AuditEntry {
  return { ...entry, hash: hashEntry(entry) };
}

/** Refuses an event that could not be verified later (unknown type, non-JSON payload). */
export function checkEvent(type: string, priority: string, payload: unknown): void {
  if (!(AUDIT_TYPES as readonly string[]).includes(type))
    throw new PlumbError("PLB943", `unknown audit event type '${type}'`, {
      source: "internal",
      hint: `one of ${AUDIT_TYPES.join(", ")}`,
    });
  if (!(PRIORITIES as readonly string[]).includes(priority))
    throw new PlumbError("PLB943", `audit priority must be P0–P3, got '${priority}'`, {
      source: "internal",
    });
  if (typeof payload !== "object" || payload === null || Array.isArray(payload))
    throw new PlumbError("PLB943", "an audit payload is a JSON object", { source: "internal" });
  try {
    canonicalize(payload);
  } catch (e) {
    throw new PlumbError("PLB943", `audit payload is not plain JSON: ${(e as Error).message}`, {
      source: "internal",
    });
  }
}

/** Parses one line; undefined when it is not an entry of the right shape. */
export function parseEntry(line: string): AuditEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const e = v as Record<string, unknown>;
  const ok =
    typeof e.id === "string" &&
    (e.parent_id === null || typeof e.parent_id === "string") &&
    Number.isSafeInteger(e.seq) &&
    typeof e.ts === "string" &&
    typeof e.actor === "string" &&
    typeof e.type === "string" &&
    typeof e.priority === "string" &&
    typeof e.payload === "object" &&
    e.payload !== null &&
    typeof e.prev === "string" &&
    typeof e.hash === "string";
  return ok ? (e as unknown as AuditEntry) : undefined;
}

/** The one serialization of an entry: a single JSON line. */
export function entryLine(entry: AuditEntry): string {
  return `${JSON.stringify(entry)}\n`;
}
