// One apply, start to end, without the CLI: lock → stale check → pre-apply snapshots → changes
// (bounded, in waves) → retention → re-plan/verify → unlock. Everything it touches comes in
// through its input (driver, lock environment, journal, snapshot records, clock).
import { PlumbError } from "../../core/errors.js";
import type { PreApplyRecord } from "../../core/io/plumb-state.js";
import type { IncusDriver } from "../drivers/incus/types.js";
import { IncusLock, type LockEnv, type LockHolder } from "../lock/incus-lock.js";
import { type Change, isActionable } from "../model.js";
import type { PlanDocument } from "../plan/plan-document.js";
import {
  cleanup,
  estateInstances,
  PRE_APPLY_PREFIX,
  type SnapshotResult,
  snapshotAll,
  snapshotTargets,
} from "../snapshots/pre-apply.js";
import { applyChanges, type ChangeResult, type EngineEvent } from "./engine.js";
import { assertFresh, type Unconverged, verifyTargets } from "./stale.js";

export interface ApplyOptions {
  readonly allowRestart: boolean;
  readonly snapshot: boolean;
  readonly keep: number;
  readonly concurrency: number;
  readonly stopTimeout: number;
  readonly leaseMs: number;
  /** Wait this long for a held lock (0: fail at once). */
  readonly lockWaitMs?: number;
}

export type ApplyProgress =
  | EngineEvent
  | { readonly type: "lock"; readonly takeover?: { holder: LockHolder; why: string } }
  | { readonly type: "snapshots-start"; readonly name: string; readonly total: number }
  | {
      readonly type: "snapshots";
      readonly name: string;
      readonly results: readonly SnapshotResult[];
    }
  | { readonly type: "cleanup"; readonly deleted: number; readonly failed: number };

export interface ApplyInput {
  readonly plan: PlanDocument;
  readonly driver: IncusDriver;
  readonly target: string;
  readonly options: ApplyOptions;
  readonly run: string;
  readonly command: string;
  readonly lockEnv: LockEnv;
  readonly timestamp: string;
  /** Records the pre-apply snapshots (`.plumb/pre-apply-snapshots/`). */
  recordSnapshots(rec: PreApplyRecord): Promise<void>;
  /** Trims the snapshot history to what retention kept. */
  keptSnapshots?(names: readonly string[]): void;
  journal(type: string, data?: Record<string, unknown>): void;
  onProgress?(p: ApplyProgress): void;
  /** Changes still needed after applying: a fresh full plan when the estate is at hand. */
  replan?(): Promise<readonly Change[]>;
  /**
   * Runs under the lock after every Incus change succeeded and was verified (the contract
   * phase, docs/delivery.md); skipped when a change failed.
   */
  afterChanges?(): Promise<void>;
}

export interface ApplyReport {
  readonly results: readonly ChangeResult[];
  readonly snapshot?: string;
  readonly snapshots: readonly SnapshotResult[];
  /** Targets not at their desired state afterwards (failed or skipped changes included). */
  readonly unconverged: readonly Unconverged[];
  /** Changes a fresh plan still finds (only when `replan` was given). */
  readonly remaining?: readonly Change[];
}

export async function runApply(input: ApplyInput): Promise<ApplyReport> {
  const { plan, driver, options } = input;
  const progress = (p: ApplyProgress) => input.onProgress?.(p);
  const lock = await IncusLock.acquire(driver, {
    owner: plan.owner,
    run: input.run,
    command: input.command,
    leaseMs: options.leaseMs,
    ...(options.lockWaitMs ? { waitMs: options.lockWaitMs } : {}),
    env: input.lockEnv,
    onTakeover: (holder, why) => {
      input.journal("lock-takeover", { holder, why });
      progress({ type: "lock", takeover: { holder, why } });
    },
  });
  input.journal("locked", { run: input.run });
  lock.startHeartbeat();
  try {
    // Under the lock, so nothing another plumb applies can slip in between check and changes.
    await assertFresh(plan, driver, input.target);
    input.journal("fresh", { observed: plan.observed.length });
    const actionable = plan.changes.filter(isActionable);
    let snapshot: string | undefined;
    let snapshots: SnapshotResult[] = [];
    const targets = options.snapshot
      ? snapshotTargets(
          plan.changes.filter((c) => isActionable(c) || c.action === "conflict"),
          options.allowRestart,
        )
      : [];
    if (targets.length > 0) {
      snapshot = `${PRE_APPLY_PREFIX}${input.timestamp}`;
      const record = (results: readonly SnapshotResult[]) =>
        input.recordSnapshots({
          timestamp: input.timestamp,
          snapshot: snapshot as string,
          scope: plan.limit ? plan.limit.join(",") : "all",
          run: input.run,
          instances: results.map((s) => ({
            project: s.project,
            name: s.name,
            ok: s.ok,
            ...(s.error ? { error: s.error } : {}),
          })),
        });
      // Recorded before the first snapshot: a run killed while snapshotting still leaves its
      // snapshot name in the history (and `rollback --list` finds the snapshots on the instances).
      await record(
        targets.map((t) => ({
          ...t,
          ok: false,
          error: "not confirmed: the run stopped while snapshotting",
        })),
      );
      progress({ type: "snapshots-start", name: snapshot, total: targets.length });
      snapshots = await snapshotAll(driver, targets, snapshot, options.concurrency);
      progress({ type: "snapshots", name: snapshot, results: snapshots });
      input.journal("snapshots", { snapshot, results: snapshots });
      await record(snapshots);
      const failed = snapshots.filter((s) => !s.ok);
      if (failed.length > 0) {
        throw new PlumbError(
          "PLB719",
          `pre-apply snapshot ${snapshot} failed on ${failed.map((f) => `${f.project}/${f.name} (${f.error})`).join(", ")}; nothing was changed`,
          { hint: "fix the cause, or apply with --no-snapshot to go without a safety net" },
        );
      }
    }
    const report = await applyChanges(plan.changes, driver, {
      concurrency: options.concurrency,
      ctx: {
        owner: plan.owner,
        allowRestart: options.allowRestart,
        vmSupported: plan.host.vmSupported,
        stopTimeout: options.stopTimeout,
      },
      beforeChange: () => lock.check(),
      onEvent: (e) => {
        if (e.type === "end") input.journal("change", { ...e.result });
        else input.journal("change-start", { id: e.change.id, action: e.change.action });
        progress(e);
      },
    });
    if (report.stopped !== undefined) throw report.stopped;
    if (snapshot !== undefined) {
      const kept = await cleanup(
        driver,
        await estateInstances(driver, plan.owner),
        options.keep,
        options.concurrency,
      );
      progress({ type: "cleanup", ...kept });
      input.journal("cleanup", kept);
    }
    const doneIds = new Set(report.results.filter((r) => r.status === "done").map((r) => r.id));
    const verified = await verifyTargets(
      plan,
      actionable.filter((c) => doneIds.has(c.id)),
      driver,
    );
    const notDone = report.results
      .filter((r) => r.status !== "done")
      .map((r) => ({
        id: r.id,
        why: r.status === "failed" ? `failed: ${r.error?.message}` : `skipped: ${r.detail}`,
      }));
    const remaining = input.replan ? await input.replan() : undefined;
    if (input.afterChanges && notDone.length === 0) {
      await lock.check();
      input.journal("contracts-start");
      await input.afterChanges();
      input.journal("contracts-end");
    }
    input.journal("verified", {
      unconverged: [...notDone, ...verified],
      remaining: remaining?.length,
    });
    return {
      results: report.results,
      ...(snapshot ? { snapshot } : {}),
      snapshots,
      unconverged: [...notDone, ...verified],
      ...(remaining ? { remaining } : {}),
    };
  } finally {
    await lock.release().catch(() => undefined);
    input.journal("unlocked");
  }
}
