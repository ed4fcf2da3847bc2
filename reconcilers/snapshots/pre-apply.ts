// Pre-apply snapshots (docs/reconcile.md): before an apply, every existing instance it touches gets
// `pre-apply-YYYYMMDD-HHMMSS` (one name per run); `rollback` restores the latest or a given one
// on every instance of the estate that has it; `cleanup` keeps the newest N per instance.
import { PlumbError } from "../../core/errors.js";
import { AlreadyExistsError } from "../drivers/incus/errors.js";
import type { IncusDriver, Instance } from "../drivers/incus/types.js";
import { OWNER_KEY, ownershipOf } from "../kit/ownership.js";
import type { Change } from "../model.js";
import { mapLimit } from "../pool.js";

export const PRE_APPLY_PREFIX = "pre-apply-";
export const DEFAULT_KEEP = 3;

export interface InstanceId {
  readonly project: string;
  readonly name: string;
}

/**
 * Ids of the changes apply will skip whatever happens, known before it starts (the engine's own
 * rules, reconcilers/apply/engine.ts): a restart not allowed, a machine this host cannot create,
 * and everything depending on a skipped change or a conflict.
 */
export function predictSkipped(changes: readonly Change[], allowRestart: boolean): Set<string> {
  const skipped = new Set(changes.filter((c) => c.action === "conflict").map((c) => c.id));
  for (const c of changes) {
    if (
      c.deps.some((d) => skipped.has(d)) ||
      (c.action === "update-restart" && c.ref.kind === "instance" && !allowRestart) ||
      ((c.action === "create" || c.action === "replace") && "unsupported" in c && c.unsupported)
    )
      skipped.add(c.id);
  }
  return skipped;
}

/**
 * Existing instances a plan changes (deleted or replaced ones lose their snapshots with them),
 * leaving out the changes apply will skip (`allowRestart` false: restarts are skipped).
 */
export function snapshotTargets(changes: readonly Change[], allowRestart = true): InstanceId[] {
  const out = new Map<string, InstanceId>();
  const add = (project: string, name: string) => out.set(`${project}/${name}`, { project, name });
  const skipped = predictSkipped(changes, allowRestart);
  for (const c of changes) {
    if (skipped.has(c.id)) continue;
    const touches =
      (c.ref.kind === "instance" && (c.action === "update" || c.action === "update-restart")) ||
      (c.ref.kind === "instance-state" && (c.action === "start" || c.action === "stop"));
    if (touches) add(c.ref.project, c.ref.name);
    // A profile change reaches every instance using it: the plan lists them.
    if (c.ref.kind === "profile" && (c.action === "update" || c.action === "update-restart")) {
      for (const id of c.affects ?? []) {
        const [project, name] = id.split("/");
        if (project && name) add(project, name);
      }
    }
  }
  return [...out.values()].sort((a, b) =>
    `${a.project}/${a.name}`.localeCompare(`${b.project}/${b.name}`),
  );
}

export interface SnapshotResult extends InstanceId {
  readonly ok: boolean;
  readonly error?: string;
}

export async function snapshotAll(
  driver: IncusDriver,
  targets: readonly InstanceId[],
  snapshot: string,
  concurrency: number,
): Promise<SnapshotResult[]> {
  const settled = await mapLimit(targets, concurrency, async (t) => {
    try {
      await driver.createSnapshot(t.project, t.name, { name: snapshot });
    } catch (err) {
      // Taken already by an interrupted run of this same second: it is the snapshot we want.
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  });
  return targets.map((t, i) => {
    const s = settled[i];
    return s?.ok
      ? { ...t, ok: true }
      : {
          ...t,
          ok: false,
          error: s && !s.ok ? String((s.error as Error).message ?? s.error) : "?",
        };
  });
}

/** Owned instances of the estate with their snapshots (one recursion=2 listing per project). */
export async function estateInstances(
  driver: IncusDriver,
  owner: string,
  concurrency = 4,
): Promise<Instance[]> {
  const projects = (await driver.listProjects()).filter(
    (p) => p.name !== "default" && p.config?.[OWNER_KEY] === owner,
  );
  const lists = await mapLimit(projects, concurrency, (p) =>
    driver.listInstances(p.name, { withState: true }),
  );
  const out: Instance[] = [];
  for (const l of lists) {
    if (!l.ok) throw l.error;
    for (const i of l.value) {
      if (
        ownershipOf(i.config, { kind: "instance", project: i.project, name: i.name }, owner) ===
        "owned"
      )
        out.push(i);
    }
  }
  return out;
}

/** Pre-apply timestamps present on live instances, newest first, with the instances holding each. */
export function preApplyIndex(instances: readonly Instance[]): Map<string, InstanceId[]> {
  const index = new Map<string, InstanceId[]>();
  for (const i of instances) {
    for (const s of i.snapshots ?? []) {
      if (!s.name.startsWith(PRE_APPLY_PREFIX)) continue;
      const ts = s.name.slice(PRE_APPLY_PREFIX.length);
      index.set(ts, [...(index.get(ts) ?? []), { project: i.project, name: i.name }]);
    }
  }
  return new Map([...index].sort((a, b) => (a[0] < b[0] ? 1 : -1)));
}

export interface RollbackReport {
  readonly snapshot: string;
  readonly restored: readonly InstanceId[];
  readonly failed: readonly (InstanceId & { error: string })[];
  /** Instances of the estate without that snapshot. */
  readonly skipped: number;
}

/** Told when each instance's restore starts and ends (progress). */
export type RollbackEvent =
  | { readonly type: "start"; readonly id: InstanceId; readonly total: number }
  | { readonly type: "end"; readonly id: InstanceId; readonly error?: string; readonly ms: number };

export async function rollback(
  driver: IncusDriver,
  instances: readonly Instance[],
  ts: string,
  concurrency: number,
  onEvent?: (e: RollbackEvent) => void,
): Promise<RollbackReport> {
  const snapshot = `${PRE_APPLY_PREFIX}${ts}`;
  const having = instances.filter((i) => (i.snapshots ?? []).some((s) => s.name === snapshot));
  if (having.length === 0) {
    throw new PlumbError("PLB720", `no instance of this estate has snapshot ${snapshot}`, {
      hint: "`plumb snapshot rollback --list` shows the pre-apply snapshots that exist",
    });
  }
  const settled = await mapLimit(having, concurrency, async (i) => {
    const id = { project: i.project, name: i.name };
    const t0 = Date.now();
    onEvent?.({ type: "start", id, total: having.length });
    try {
      await driver.restoreSnapshot(i.project, i.name, snapshot);
      onEvent?.({ type: "end", id, ms: Date.now() - t0 });
    } catch (err) {
      onEvent?.({ type: "end", id, error: (err as Error).message, ms: Date.now() - t0 });
      throw err;
    }
  });
  const restored: InstanceId[] = [];
  const failed: (InstanceId & { error: string })[] = [];
  having.forEach((i, n) => {
    const s = settled[n];
    const id = { project: i.project, name: i.name };
    if (s?.ok) restored.push(id);
    else failed.push({ ...id, error: s && !s.ok ? String((s.error as Error).message) : "?" });
  });
  if (restored.length === 0) {
    throw new PlumbError(
      "PLB720",
      `snapshot ${snapshot} could not be restored on any instance: ${failed.map((f) => `${f.name}: ${f.error}`).join("; ")}`,
    );
  }
  return { snapshot, restored, failed, skipped: instances.length - having.length };
}

/** Deletes all but the newest `keep` pre-apply snapshots of each instance; the names deleted. */
export async function cleanup(
  driver: IncusDriver,
  instances: readonly Instance[],
  keep: number,
  concurrency: number,
): Promise<{ deleted: number; failed: number }> {
  const work: { project: string; name: string; snapshot: string }[] = [];
  for (const i of instances) {
    const names = (i.snapshots ?? [])
      .map((s) => s.name)
      .filter((n) => n.startsWith(PRE_APPLY_PREFIX))
      .sort()
      .reverse();
    for (const old of names.slice(Math.max(0, keep)))
      work.push({ project: i.project, name: i.name, snapshot: old });
  }
  const settled = await mapLimit(work, concurrency, (w) =>
    driver.deleteSnapshot(w.project, w.name, w.snapshot),
  );
  const failed = settled.filter((s) => !s.ok).length;
  return { deleted: work.length - failed, failed };
}
