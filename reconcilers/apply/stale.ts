// Before the first change of a saved plan: re-read every object the plan recorded and refuse if
// any moved (TF's "Saved plan is stale", but per object: the observed hashes). After applying:
// re-read what the plan targeted and list what has not reached its desired state.
import { ExitCode, PlumbError } from "../../core/errors.js";
import type { IncusDriver } from "../drivers/incus/types.js";
import { CachedLiveView } from "../live-view.js";
import {
  type Change,
  type DesiredObject,
  type Kind,
  type ObservedObject,
  refId,
} from "../model.js";
import type { PlanDocument } from "../plan/plan-document.js";
import type { DiffContext } from "../reconciler.js";
import { KINDS, RECONCILERS } from "../registry.js";

export const EXIT_STALE = ExitCode.stale;

export class StalePlanError extends PlumbError {
  readonly moved: readonly string[];
  constructor(moved: readonly string[], why: string) {
    super("PLB711", `Saved plan is stale: ${why}`, {
      exitCode: EXIT_STALE,
      hint: "nothing was changed; run `plumb plan --out plan.json` again and review the new plan",
    });
    this.name = "StalePlanError";
    this.moved = moved;
  }
}

/** Projects whose listings hold the objects of these ids. */
function projectsOf(ids: readonly string[]): string[] {
  const out = new Set<string>();
  for (const id of ids) {
    // `kind:project/name`: every kind but projects themselves and what lives in `default`.
    const m = /^([^:]+):([^/]+)\//.exec(id);
    if (m?.[1] && m[2] && m[1] !== "project" && m[2] !== "default") out.add(m[2]);
  }
  return [...out].sort();
}

/**
 * Re-reads projects, networks, and the profiles and instances of `projects` (the same handful of
 * listings as a plan) — exactly the projects the plan read, so a project it did not look into
 * (someone else's) does not look "moved".
 */
export async function observeIds(
  driver: IncusDriver,
  owner: string,
  read: readonly string[],
): Promise<Map<string, ObservedObject>> {
  const live = new CachedLiveView(driver);
  const existing = new Set((await live.projects()).map((p) => p.name));
  const projects = read.filter((p) => existing.has(p));
  const scope = { owner, projects };
  const out = new Map<string, ObservedObject>();
  for (const kind of KINDS) {
    for (const o of await RECONCILERS[kind].read(live, scope)) out.set(refId(o.ref), o);
  }
  return out;
}

/** Throws StalePlanError when the plan was made against another Incus or anything it read moved. */
export async function assertFresh(
  plan: PlanDocument,
  driver: IncusDriver,
  target: string,
): Promise<void> {
  if (plan.target !== target) {
    throw new StalePlanError([], `it was made against ${plan.target}, this is ${target}`);
  }
  const now = await observeIds(driver, plan.owner, plan.projects);
  const moved = plan.observed
    .filter((r) => (now.get(r.id)?.hash ?? null) !== r.hash)
    .map((r) => r.id);
  if (moved.length > 0) {
    const shown = moved.slice(0, 10).join(", ");
    throw new StalePlanError(
      moved,
      `${moved.length} object(s) changed since the plan was made: ${shown}${moved.length > 10 ? ", …" : ""}`,
    );
  }
}

/** The desired object a change aims at (undefined for deletes: the target is absence). */
function desiredOf(c: Change): DesiredObject | undefined {
  switch (c.action) {
    case "create":
    case "update":
    case "update-restart":
      return {
        ref: c.ref,
        spec: c.desired,
        deps: c.deps,
        ...("create" in c && c.create ? { create: c.create } : {}),
      };
    case "replace":
      return { ref: c.ref, spec: c.desired, deps: c.deps, create: c.create };
    case "start":
      return { ref: c.ref, spec: { status: "Running" }, deps: c.deps };
    case "stop":
      return { ref: c.ref, spec: { status: "Stopped" }, deps: c.deps };
    case "delete":
    case "orphan":
    case "conflict":
      return undefined;
  }
}

export interface Unconverged {
  readonly id: string;
  readonly why: string;
}

/** After applying: each target that does not match its desired state (or still exists, for deletes). */
export async function verifyTargets(
  plan: PlanDocument,
  changes: readonly Change[],
  driver: IncusDriver,
): Promise<Unconverged[]> {
  const now = await observeIds(driver, plan.owner, projectsOf(changes.map((c) => c.id)));
  const ctx: DiffContext = {
    owner: plan.owner,
    autoCleanup: false,
    projectAccess: () => ({ ok: true, creating: false }),
    inScope: () => false,
  };
  const out: Unconverged[] = [];
  for (const c of changes) {
    const o = now.get(c.id);
    if (c.action === "delete") {
      if (o) out.push({ id: c.id, why: "still exists" });
      continue;
    }
    const d = desiredOf(c);
    if (d === undefined) continue;
    const r = RECONCILERS[c.ref.kind as Kind] as unknown as {
      diff(d: readonly DesiredObject[], o: readonly ObservedObject[], c: DiffContext): Change[];
    };
    const left = r.diff([d], o ? [o] : [], ctx);
    if (c.ref.kind === "instance-state" && o === undefined) {
      out.push({ id: c.id, why: "instance not found" });
    } else if (left.length > 0) {
      out.push({ id: c.id, why: `still needs ${left.map((l) => l.action).join(", ")}` });
    }
  }
  return out;
}
