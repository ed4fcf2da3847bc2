// Prometheus textfile metrics (node_exporter's textfile collector reads `.plumb/metrics/plumb.prom`):
// last run status and time per job, duration per step, changes by kind and action, drifted objects,
// last successful apply. Several commands update their own series: the state is merged under a lock
// file and the .prom file is rewritten atomically, so a scraper never reads half a file.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { withFileLock } from "../audit/file-lock.js";
import { fsyncDir, tempPathFor } from "../io/atomic-write.js";
import { stateDir } from "../io/plumb-state.js";

export interface MetricsUpdate {
  readonly job: "apply" | "reconcile" | "drift";
  readonly estate: string;
  readonly ok: boolean;
  readonly at: Date;
  /** Seconds per step of this run. */
  readonly steps?: Readonly<Record<string, number>>;
  /** Changes by `kind/action` (`instance/create`). */
  readonly changes?: Readonly<Record<string, number>>;
  readonly drifted?: number;
  /** An apply (or reconcile) that left live Incus converged. */
  readonly applied?: boolean;
}

interface State {
  runs: Record<string, { ok: boolean; at: number; estate: string; steps: Record<string, number> }>;
  changes: Record<string, Record<string, number>>;
  drifted: Record<string, number>;
  lastApply: Record<string, number>;
}

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export function renderProm(s: State): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string, rows: string[]) => {
    if (rows.length === 0) return;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...rows);
  };
  const runs = Object.entries(s.runs).sort();
  family(
    "plumb_last_run_success",
    "gauge",
    "1 when the job's last run succeeded, else 0.",
    runs.map(
      ([job, r]) =>
        `plumb_last_run_success{job="${esc(job)}",estate="${esc(r.estate)}"} ${r.ok ? 1 : 0}`,
    ),
  );
  family(
    "plumb_last_run_timestamp_seconds",
    "gauge",
    "When the job last ran (Unix time).",
    runs.map(
      ([job, r]) =>
        `plumb_last_run_timestamp_seconds{job="${esc(job)}",estate="${esc(r.estate)}"} ${r.at}`,
    ),
  );
  family(
    "plumb_step_duration_seconds",
    "gauge",
    "Duration of each step of the job's last run.",
    runs.flatMap(([job, r]) =>
      Object.entries(r.steps).map(
        ([step, sec]) =>
          `plumb_step_duration_seconds{job="${esc(job)}",step="${esc(step)}"} ${sec}`,
      ),
    ),
  );
  family(
    "plumb_changes",
    "gauge",
    "Changes of the last plan applied, by kind and action.",
    Object.entries(s.changes)
      .sort()
      .flatMap(([estate, m]) =>
        Object.entries(m)
          .sort()
          .map(([ka, n]) => {
            const [kind, action] = ka.split("/");
            return `plumb_changes{estate="${esc(estate)}",kind="${esc(kind ?? "")}",action="${esc(action ?? "")}"} ${n}`;
          }),
      ),
  );
  family(
    "plumb_drifted_objects",
    "gauge",
    "Objects whose live state differs from the declared estate (last drift check).",
    Object.entries(s.drifted)
      .sort()
      .map(([estate, n]) => `plumb_drifted_objects{estate="${esc(estate)}"} ${n}`),
  );
  family(
    "plumb_last_successful_apply_timestamp_seconds",
    "gauge",
    "When an apply last converged the estate (Unix time).",
    Object.entries(s.lastApply)
      .sort()
      .map(
        ([estate, t]) =>
          `plumb_last_successful_apply_timestamp_seconds{estate="${esc(estate)}"} ${t}`,
      ),
  );
  return `${out.join("\n")}\n`;
}

export function metricsDir(root: string): string {
  return stateDir(root, "metrics");
}

export function recordMetrics(root: string, u: MetricsUpdate): string {
  const dir = metricsDir(root);
  const stateFile = join(dir, "state.json");
  const prom = join(dir, "plumb.prom");
  const at = Math.floor(u.at.getTime() / 1000);
  let state: State = { runs: {}, changes: {}, drifted: {}, lastApply: {} };
  withFileLock(join(dir, "metrics.lock"), () => {
    try {
      state = { ...state, ...(JSON.parse(readFileSync(stateFile, "utf8")) as State) };
    } catch {
      // first run, or an unreadable state: start again (the .prom file is derived)
    }
    state.runs[u.job] = { ok: u.ok, at, estate: u.estate, steps: { ...(u.steps ?? {}) } };
    if (u.changes) state.changes[u.estate] = { ...u.changes };
    if (u.drifted !== undefined) state.drifted[u.estate] = u.drifted;
    if (u.applied && u.ok) state.lastApply[u.estate] = at;
    // Written inside the lock, so two commands finishing at once cannot lose each other's series.
    writeSyncAtomic(stateFile, `${JSON.stringify(state, null, 2)}\n`);
    writeSyncAtomic(prom, renderProm(state));
  });
  return prom;
}

function writeSyncAtomic(path: string, text: string): void {
  const temp = tempPathFor(path);
  const fd = openSync(temp, "wx", 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  fsyncDir(dirname(path));
}
