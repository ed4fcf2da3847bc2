// The apply engine: consumes a Plan's changes and nothing else. Waves in dependency order
// (projects → networks → profiles → instances → state, then deletes in reverse), bounded
// concurrency inside a wave, a change whose dependency failed or was skipped is skipped too.
import { PlumbError } from "../../core/errors.js";
import type { IncusDriver } from "../drivers/incus/types.js";
import { type Change, isActionable, refLabel } from "../model.js";
import { waveOf } from "../plan/planner.js";
import { mapLimit } from "../pool.js";
import type { ApplyContext } from "../reconciler.js";
import { reconcilerFor } from "../registry.js";

export type ChangeStatus = "done" | "skipped" | "failed";

export interface ChangeResult {
  readonly id: string;
  readonly action: Change["action"];
  readonly status: ChangeStatus;
  readonly detail?: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly ms: number;
}

export type EngineEvent =
  | { readonly type: "start"; readonly change: Change }
  | { readonly type: "end"; readonly change: Change; readonly result: ChangeResult };

export interface EngineOptions {
  readonly concurrency: number;
  readonly ctx: ApplyContext;
  onEvent?(event: EngineEvent): void;
  /** Called before each change; throws to stop (the apply lock was lost). */
  beforeChange?(): void;
}

export function describeChange(c: Change): string {
  return `${c.action} ${c.ref.kind} ${refLabel(c.ref)}`;
}

export interface EngineReport {
  readonly results: readonly ChangeResult[];
  /** Why the apply stopped early (lock lost), if it did. */
  readonly stopped?: unknown;
}

export async function applyChanges(
  changes: readonly Change[],
  driver: IncusDriver,
  options: EngineOptions,
): Promise<EngineReport> {
  const results: ChangeResult[] = [];
  // Ids that did not reach their desired state: dependents must not run.
  const blocked = new Map<string, string>();
  for (const c of changes) if (c.action === "conflict") blocked.set(c.id, "is in conflict");
  const actionable = changes.filter(isActionable);
  const waves = [...new Set(actionable.map(waveOf))].sort((a, b) => a - b);
  let stop: unknown;
  for (const wave of waves) {
    const items = actionable.filter((c) => waveOf(c) === wave);
    // A wave holds one kind; some kinds are applied one at a time.
    const cap = items[0] ? reconcilerFor(items[0]).maxConcurrency : undefined;
    await mapLimit(items, Math.min(options.concurrency, cap ?? options.concurrency), async (c) => {
      const started = Date.now();
      const record = (r: Omit<ChangeResult, "id" | "action" | "ms">) => {
        const result: ChangeResult = { id: c.id, action: c.action, ms: Date.now() - started, ...r };
        results.push(result);
        if (result.status !== "done")
          blocked.set(c.id, result.status === "failed" ? "failed" : "was skipped");
        options.onEvent?.({ type: "end", change: c, result });
      };
      if (stop !== undefined) {
        record({ status: "skipped", detail: "apply stopped before this change" });
        return;
      }
      const dep = c.deps.find((d) => blocked.has(d));
      if (dep !== undefined) {
        record({ status: "skipped", detail: `depends on ${dep}, which ${blocked.get(dep)}` });
        return;
      }
      try {
        options.beforeChange?.();
      } catch (err) {
        stop = err;
        record({ status: "skipped", detail: "apply stopped before this change" });
        return;
      }
      options.onEvent?.({ type: "start", change: c });
      try {
        const outcome = await reconcilerFor(c).apply(c, driver, options.ctx);
        if (outcome.status === "done") {
          record({ status: "done", ...(outcome.detail ? { detail: outcome.detail } : {}) });
        } else {
          record({ status: "skipped", detail: outcome.reason });
        }
      } catch (err) {
        record({ status: "failed", error: errorInfo(err) });
      }
    });
  }
  return stop === undefined ? { results } : { results, stopped: stop };
}

export function errorInfo(err: unknown): { code: string; message: string } {
  if (err instanceof PlumbError) return { code: err.code, message: err.message };
  return { code: "PLB999", message: err instanceof Error ? err.message : String(err) };
}
