// Reading plans and apply journals for the reconcile job (scripts/reconcile.mjs): the digest of
// a plan's changes (what compare-reviewed compares), the changes apply would act on, and the
// apply's own phases from its journal for the report.
import { createHash } from "node:crypto";
import { fs, path } from "zx";

export const changesDigest = (plan) =>
  `sha256:${createHash("sha256")
    .update(
      JSON.stringify(
        plan.changes.map((c) => [c.id, c.action, c.fields ?? null, c.desired ?? null]),
      ),
    )
    .digest("hex")}`;
export const readPlan = (f) => JSON.parse(fs.readFileSync(f, "utf8"));
export const actionable = (plan) =>
  plan.changes.filter((c) => c.action !== "orphan" && c.action !== "conflict");

/** The apply's own phases, from its journal (.plumb/runs/<apply-run>/journal.ndjson). */
export function applyPhases(repo, applyRun) {
  if (!applyRun) return undefined;
  let events = [];
  try {
    events = fs
      .readFileSync(path.join(repo, ".plumb", "runs", applyRun, "journal.ndjson"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return undefined;
  }
  const at = (type) => events.find((e) => e.type === type)?.t;
  const ms = (a, b) => (a && b ? Date.parse(b) - Date.parse(a) : null);
  const changes = events.filter((e) => e.type === "change");
  const snap = events.find((e) => e.type === "snapshots");
  return {
    run: applyRun,
    lock: { at: at("locked") ?? null, stale_check_ms: ms(at("locked"), at("fresh")) },
    snapshots: snap
      ? {
          name: snap.snapshot ?? null,
          ms: ms(at("fresh"), snap.t),
          count: (snap.results ?? []).length,
        }
      : null,
    changes: {
      ms: ms(snap?.t ?? at("fresh"), at("verified")),
      done: changes.filter((c) => c.status === "done").length,
      failed: changes.filter((c) => c.status === "failed").length,
    },
    unlocked: at("unlocked") ?? null,
  };
}
