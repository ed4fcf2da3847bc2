// What the commands record in the audit trail, each a one-line call from the command: a plan,
// an apply (its journal events mapped to lock / snapshot / step / end entries), a snapshot or
// rollback, a refusal. Payloads carry ids, digests and counts only, never configuration values
// (those may hold secrets).
import { PlumbError } from "../errors.js";
import type { Logger } from "../log/logger.js";
import { recordMetrics } from "../metrics/prom.js";
import { appendAudit } from "./append.js";
import type { AuditEntry, AuditType, Priority } from "./envelope.js";

interface PlanLike {
  readonly owner: string;
  readonly digest: string;
  readonly target: string;
  readonly git: { readonly head: string | null };
  readonly limit: readonly string[] | null;
  readonly summary: Readonly<Record<string, number>>;
  readonly changes?: readonly {
    readonly id: string;
    readonly action: string;
    readonly ref: { readonly kind: string };
  }[];
}

export function auditPlan(root: string, plan: PlanLike, saved?: string): AuditEntry {
  return appendAudit(root, {
    type: "plan",
    priority: "P3",
    payload: {
      estate: plan.owner,
      digest: plan.digest,
      target: plan.target,
      git_head: plan.git.head,
      limit: plan.limit,
      summary: plan.summary,
      saved_as: saved ?? null,
    },
  });
}

type Journal = (type: string, data?: Record<string, unknown>) => void;

/**
 * Wraps an apply's journal callback: appends `apply.start` at once, then one audit entry per
 * lock, snapshot, change and the end, each a child of the start entry; logs each event (pino,
 * when logs are on) and, when the lock is released, records the run in the metrics.
 */
export function auditedJournal(
  root: string,
  run: string,
  plan: PlanLike,
  journal: Journal,
  options: {
    logger?: Logger;
    command?: string;
    now?: () => Date;
    /** Uncommitted files under infra/, templates/, keys/ (null: no git repository). */
    dirty?: readonly string[] | null;
  } = {},
): Journal {
  const now = options.now ?? (() => new Date());
  const started = now().getTime();
  const start = appendAudit(root, {
    type: "apply.start",
    priority: "P2",
    payload: {
      run,
      estate: plan.owner,
      digest: plan.digest,
      summary: plan.summary,
      command: options.command ?? "plumb apply",
      ...(options.dirty === undefined
        ? {}
        : {
            dirty: options.dirty === null ? null : options.dirty.length > 0,
            ...(options.dirty?.length ? { dirty_paths: options.dirty.slice(0, 50) } : {}),
          }),
    },
  });
  const add = (type: AuditType, priority: Priority, payload: Record<string, unknown>) =>
    appendAudit(root, { type, priority, parent_id: start.id, payload: { run, ...payload } });
  const log = options.logger;
  const steps: Record<string, number> = {};
  let mark = started;
  const step = (name: string) => {
    const t = now().getTime();
    steps[name] = (steps[name] ?? 0) + (t - mark) / 1000;
    mark = t;
  };
  let failed = 0;
  let converged = false;
  return (type, data = {}) => {
    journal(type, data);
    log?.child({ step: type }).info(data, `apply ${type}`);
    switch (type) {
      case "lock-takeover":
        add("lock.acquire", "P1", { takeover: true, why: data.why ?? null });
        return;
      case "locked":
        step("lock");
        add("lock.acquire", "P3", {});
        return;
      case "fresh":
        step("stale-check");
        return;
      case "snapshots": {
        step("snapshots");
        const results = (data.results ?? []) as { project: string; name: string; ok: boolean }[];
        add("snapshot", "P2", {
          snapshot: data.snapshot ?? null,
          instances: results.map((r) => `${r.project}/${r.name}${r.ok ? "" : " (failed)"}`),
        });
        return;
      }
      case "change": {
        const { id, action, status, ms, detail, error } = data as Record<string, unknown>;
        if (status === "failed") failed++;
        add("apply.step", status === "failed" ? "P1" : "P2", {
          id: id ?? null,
          action: action ?? null,
          status: status ?? null,
          ms: ms ?? null,
          detail: detail ?? null,
          error: error ?? null,
        });
        return;
      }
      case "verified": {
        step("changes+verify");
        const unconverged = ((data.unconverged ?? []) as { id: string }[]).map((u) => u.id);
        converged = unconverged.length === 0 && (data.remaining ?? 0) === 0;
        add("apply.end", "P2", { unconverged, remaining: data.remaining ?? null });
        return;
      }
      case "unlocked": {
        add("lock.release", "P3", {});
        const changes: Record<string, number> = {};
        for (const c of plan.changes ?? [])
          changes[`${c.ref.kind}/${c.action}`] = (changes[`${c.ref.kind}/${c.action}`] ?? 0) + 1;
        try {
          recordMetrics(root, {
            job: "apply",
            estate: plan.owner,
            ok: failed === 0 && converged,
            at: now(),
            steps,
            changes,
            applied: true,
          });
        } catch (e) {
          log?.warn({ err: (e as Error).message }, "metrics not written");
        }
        return;
      }
    }
  };
}

export function auditSnapshot(
  root: string,
  action: "create" | "restore" | "delete" | "rollback" | "cleanup",
  payload: Record<string, unknown>,
): AuditEntry {
  return appendAudit(root, {
    type: action === "rollback" || action === "restore" ? "rollback" : "snapshot",
    priority: action === "rollback" || action === "restore" ? "P1" : "P2",
    payload: { action, ...payload },
  });
}

/** A command refused to act (stale plan, lock held, missing approvals, freeze, dirty tree). */
export function auditRefusal(
  root: string,
  command: string,
  error: { code: string; message: string },
): AuditEntry {
  return appendAudit(root, {
    type: "refusal",
    priority: "P1",
    payload: { command, code: error.code, message: error.message },
  });
}

// Errors whose refusal the thrower already recorded (with a richer payload): recorded once.
const alreadyAudited = new WeakSet<object>();

/** Marks an error as recorded in the audit trail, so `auditFailure` does not record it again. */
export function markAudited<E extends object>(e: E): E {
  alreadyAudited.add(e);
  return e;
}

/**
 * For a command's catch block: records a PlumbError as a refusal (or failure) and returns the
 * error to rethrow. An audit problem never hides the original error.
 */
export function auditFailure(root: string, command: string, e: unknown): unknown {
  if (e instanceof PlumbError && !alreadyAudited.has(e)) {
    try {
      auditRefusal(root, command, e);
    } catch {
      // the original error matters more; `plumb audit verify` reports a broken log
    }
  }
  return e;
}
