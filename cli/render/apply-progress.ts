// What apply and flush show while they work, through the output host's progress (a live status
// line on a terminal, plain lines elsewhere): lock takeovers, the snapshot phase, one result line
// per change with its counter, retention. The caller stops it before its summary.
import type { Output } from "../../core/output/output.js";
import type { Progress } from "../../core/output/progress.js";
import { describeChange } from "../../reconcilers/apply/engine.js";
import type { ApplyProgress } from "../../reconcilers/apply/run-apply.js";

export interface ApplyWatcher {
  readonly progress: Progress;
  onProgress(p: ApplyProgress): void;
}

export function watchApply(out: Output, total: number, verb: string): ApplyWatcher {
  const s = out.style;
  const progress = out.progress({ total, verb });
  const onProgress = (p: ApplyProgress) => {
    switch (p.type) {
      case "lock":
        if (p.takeover)
          progress.note(
            s.yellow(
              `took over a stale apply lock of run ${p.takeover.holder.run}: ${p.takeover.why}`,
            ),
          );
        return;
      case "snapshots-start":
        progress.begin("snapshots", `snapshot ${p.name} of ${p.total} instance(s)`);
        return;
      case "snapshots": {
        const ok = p.results.filter((r) => r.ok).length;
        progress.forget("snapshots");
        progress.note(
          `snapshot ${p.name} of ${ok}/${p.results.length} instance(s) the plan touches`,
        );
        return;
      }
      case "cleanup":
        if (p.deleted || p.failed)
          progress.note(
            s.dim(
              `retention: deleted ${p.deleted} old pre-apply snapshot(s)${p.failed ? `, ${p.failed} could not be deleted` : ""}`,
            ),
          );
        return;
      case "start":
        progress.begin(p.change.id, p.change.id.slice(p.change.id.indexOf(":") + 1));
        return;
      case "end": {
        const r = p.result;
        const secs = `(${(r.ms / 1000).toFixed(1)}s)`;
        const what = describeChange(p.change);
        if (r.status === "done")
          progress.end(
            p.change.id,
            `${s.green("✓")} ${what} ${s.dim(secs)}${r.detail ? s.dim(` — ${r.detail}`) : ""}`,
          );
        else if (r.status === "skipped")
          progress.end(p.change.id, `${s.yellow("–")} ${what}: skipped, ${r.detail}`);
        else
          progress.end(
            p.change.id,
            `${s.red("✗")} ${what} ${s.dim(secs)}: ${r.error?.code} ${r.error?.message}`,
          );
      }
    }
  };
  return { progress, onProgress };
}
