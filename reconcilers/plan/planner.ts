// plan = desired (from the Estate) + observed (live Incus, a handful of recursion=1 listings)
// → ordered changes. `observe` is the only part doing I/O; `computeChanges` is pure.
import type { DesiredState } from "../desired.js";
import type { IncusDriver } from "../drivers/incus/types.js";
import { OWNER_KEY } from "../kit/ownership.js";
import { CachedLiveView } from "../live-view.js";
import {
  type Change,
  type DesiredObject,
  type Kind,
  type ObjectRef,
  type ObservedObject,
  refId,
} from "../model.js";
import { mapLimitOrThrow } from "../pool.js";
import type { DiffContext, ProjectAccess } from "../reconciler.js";
import { DELETE_ORDER, KINDS, RECONCILERS } from "../registry.js";
import type { ObservedRecord } from "./plan-document.js";

/** Listings in flight at once while observing. */
const READ_CONCURRENCY = 8;

export interface Observation {
  readonly observed: readonly ObservedObject[];
  /** Projects whose profiles and instances were read. */
  readonly projects: readonly string[];
}

export interface PlanScope {
  readonly owner: string;
  /** Projects and networks of the domains in scope; undefined = the whole estate. */
  readonly limit?: {
    readonly projects: ReadonlySet<string>;
    readonly networks: ReadonlySet<string>;
  };
  readonly disabled: {
    readonly projects: ReadonlySet<string>;
    readonly networks: ReadonlySet<string>;
  };
}

export function inScope(scope: PlanScope, ref: ObjectRef): boolean {
  // A domain's ACL is named like its bridge and shares its scope.
  if (ref.kind === "network" || ref.kind === "network-acl") {
    if (scope.disabled.networks.has(ref.name)) return false;
    return scope.limit === undefined || scope.limit.networks.has(ref.name);
  }
  if (scope.disabled.projects.has(ref.project)) return false;
  return scope.limit === undefined || scope.limit.projects.has(ref.project);
}

export function scopeOf(desired: DesiredState, owner: string, limited: boolean): PlanScope {
  return {
    owner,
    ...(limited ? { limit: desired.scope } : {}),
    disabled: desired.disabled,
  };
}

/**
 * Reads what the plan compares: every project (one call), the networks of `default` (one), and
 * the profiles and instances (one call each) of the projects that are declared or owned — but
 * only projects plumb owns: inside anyone else's it changes nothing, so it need not look.
 */
export async function observe(
  driver: IncusDriver,
  scope: PlanScope,
  extraProjects: readonly string[] = [],
  /** A view whose listings may already be in flight (the CLI starts them while it parses YAML). */
  live: CachedLiveView = new CachedLiveView(driver),
): Promise<Observation> {
  // The projects and networks listings do not depend on each other: both at once.
  void live.networks().catch(() => undefined);
  const projects = await live.projects();
  const ours = projects
    .filter((p) => p.name !== "default" && p.config?.[OWNER_KEY] === scope.owner)
    .map((p) => p.name)
    .filter((name) => inScope(scope, { kind: "project", project: name, name }));
  const existing = new Set(projects.map((p) => p.name));
  const read = [...new Set([...ours, ...extraProjects.filter((p) => existing.has(p))])].sort();
  const loads: (() => Promise<unknown>)[] = [
    () => live.networks(),
    ...read.flatMap((p) => [() => live.profiles(p), () => live.instances(p)]),
  ];
  await mapLimitOrThrow(loads, READ_CONCURRENCY, (load) => load());
  const readScope = { owner: scope.owner, projects: read };
  const observed: ObservedObject[] = [];
  for (const kind of KINDS) observed.push(...(await RECONCILERS[kind].read(live, readScope)));
  return { observed, projects: read };
}

function projectAccess(
  project: string,
  desired: ReadonlyMap<string, DesiredObject>,
  observed: ReadonlyMap<string, ObservedObject>,
  owner: string,
): ProjectAccess {
  const id = refId({ kind: "project", project, name: project });
  const o = observed.get(id);
  if (o === undefined) {
    return desired.has(id)
      ? { ok: true, creating: true }
      : { ok: false, reason: `project ${project} does not exist and is not declared` };
  }
  if (o.ownership !== "owned") {
    return {
      ok: false,
      reason: `inside project ${project}, which is not owned by estate '${owner}'`,
    };
  }
  if (o.facts.profiles !== "true") {
    return {
      ok: false,
      reason: `project ${project} shares the default project's profiles (features.profiles=false): plumb will not change them`,
    };
  }
  return { ok: true, creating: false };
}

/** Execution wave of a change: creates and updates by kind, then deletes in reverse; reports last. */
export function waveOf(change: Change): number {
  switch (change.action) {
    case "create":
    case "update":
    case "update-restart":
    case "replace":
    case "start":
    case "stop":
      return KINDS.indexOf(change.ref.kind);
    case "delete":
      return KINDS.length + DELETE_ORDER.indexOf(change.ref.kind);
    case "orphan":
    case "conflict":
      return 100;
  }
}

export function sortChanges(changes: readonly Change[]): Change[] {
  return [...changes].sort(
    (a, b) => waveOf(a) - waveOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export interface ChangeInput {
  readonly desired: readonly DesiredObject[];
  readonly observed: readonly ObservedObject[];
  readonly scope: PlanScope;
  readonly autoCleanup: boolean;
}

/** Pure: the ordered changes that take `observed` to `desired`. */
export function computeChanges(input: ChangeInput): Change[] {
  const desiredById = new Map(input.desired.map((d) => [refId(d.ref), d]));
  const observedById = new Map(input.observed.map((o) => [refId(o.ref), o]));
  const ctx: DiffContext = {
    owner: input.scope.owner,
    autoCleanup: input.autoCleanup,
    projectAccess: (p) => projectAccess(p, desiredById, observedById, input.scope.owner),
    inScope: (ref) => inScope(input.scope, ref),
  };
  const changes: Change[] = [];
  for (const kind of KINDS) {
    const r = RECONCILERS[kind] as unknown as {
      diff(d: readonly DesiredObject[], o: readonly ObservedObject[], c: DiffContext): Change[];
    };
    const ofKind = <T extends { ref: ObjectRef }>(xs: readonly T[]) =>
      xs.filter((x) => x.ref.kind === kind);
    changes.push(...r.diff(ofKind(input.desired), ofKind(input.observed), ctx));
  }
  return sortChanges(annotateAffected(changes, input.observed));
}

/** A profile update reaches the instances using it: they are snapshotted before the apply too. */
function annotateAffected(changes: Change[], observed: readonly ObservedObject[]): Change[] {
  return changes.map((c) => {
    if (c.ref.kind !== "profile" || (c.action !== "update" && c.action !== "update-restart"))
      return c;
    const affects = observed
      .filter(
        (o): o is ObservedObject<"instance"> =>
          o.ref.kind === "instance" && o.ref.project === c.ref.project,
      )
      .filter((o) => o.ownership === "owned" && o.spec.profiles.includes(c.ref.name))
      .map((o) => `${o.ref.project}/${o.ref.name}`);
    return affects.length > 0 ? { ...c, affects } : c;
  });
}

/** What a saved plan records: every desired object (null when absent) and every owned or conflicting one read. */
export function observedRecords(
  desired: readonly DesiredObject[],
  observed: readonly ObservedObject[],
  changes: readonly Change[],
  scope: PlanScope,
): ObservedRecord[] {
  const byId = new Map(observed.map((o) => [refId(o.ref), o]));
  const ids = new Set<string>([...desired.map((d) => refId(d.ref)), ...changes.map((c) => c.id)]);
  for (const o of observed)
    if (o.ownership === "owned" && inScope(scope, o.ref)) ids.add(refId(o.ref));
  return [...ids].sort().map((id) => ({ id, hash: byId.get(id)?.hash ?? null }));
}

export type { Kind };
