// The diff every object kind shares (docs/reconcile.md: create, update, orphans): declared and missing → create;
// declared, ours and different → update / update-restart / replace; ours and no longer declared
// → orphan (delete with auto_cleanup); someone else's under a declared name → conflict. Pure.
import type {
  Change,
  DesiredObject,
  FieldChange,
  Kind,
  ObjectRef,
  ObservedObject,
  SpecOf,
} from "../model.js";
import { refId, refLabel } from "../model.js";
import type { DiffContext } from "../reconciler.js";
import { HASH_KEY, OWNER_KEY, specHash } from "./ownership.js";

export interface KindDiffOps<K extends Kind> {
  readonly kind: K;
  /**
   * Lives outside the domain projects (projects themselves, bridges and ACLs in `default`):
   * no project has to be plumb's for it to be changed.
   */
  readonly global?: boolean;
  /** Field differences between the desired and the observed managed views. */
  fields(desired: SpecOf[K], observed: SpecOf[K], ref: ObjectRef): FieldChange[];
  /** What forces a replacement (empty: updatable in place). */
  replaceReasons?(desired: DesiredObject<K>, observed: ObservedObject<K>): string[];
  /** The changed fields that take effect only after a restart of a running object. */
  restartFields?(fields: readonly FieldChange[], observed: ObservedObject<K>): string[];
  /**
   * An unowned object plumb may take over (a project's `default` profile: Incus creates it
   * with the project, so there is nothing else to own).
   */
  adoptable?(observed: ObservedObject<K>): boolean;
  /** Owned objects that are never deleted on their own (`default` profiles go with the project). */
  neverOrphan?(observed: ObservedObject<K>): boolean;
  /**
   * Why an owned orphan cannot be deleted (something plumb does not own still uses or holds it):
   * it is reported, never promised as a delete that would fail on every apply.
   */
  blockDelete?(observed: ObservedObject<K>): string | undefined;
  /**
   * Why an owned object is in a state Incus did not finish (a bridge left `Pending` by a killed
   * run): it is planned as a repair (an update whose apply recreates it) even if its fields match.
   */
  repair?(
    observed: ObservedObject<K>,
  ): { readonly field: string; readonly before: string; readonly note?: string } | undefined;
}

/** True when the live object no longer matches what plumb last wrote into it. */
export function drifted(observed: ObservedObject): boolean {
  const spec = observed.spec as { config?: Record<string, string> };
  const stored = spec.config?.[HASH_KEY];
  return stored !== undefined && stored !== specHash(observed.spec);
}

function whyNotOurs(o: ObservedObject, owner: string): string {
  const cfg = (o.spec as { config?: Record<string, string> }).config ?? {};
  switch (o.ownership) {
    case "foreign":
      return `exists and belongs to estate '${cfg[OWNER_KEY]}', not '${owner}': left untouched`;
    case "copy":
      return `exists and carries plumb labels of another object (a copy?): left untouched`;
    default:
      return `exists and was not created by plumb (no user.plumb.* labels): left untouched; import it or rename one of them`;
  }
}

export function diffObjects<K extends Kind>(
  ops: KindDiffOps<K>,
  desired: readonly DesiredObject<K>[],
  observed: readonly ObservedObject<K>[],
  ctx: DiffContext,
): Change<K>[] {
  const out: Change<K>[] = [];
  const seen = new Map(observed.map((o) => [refId(o.ref), o]));
  const declared = new Set<string>();
  for (const d of desired) {
    const id = refId(d.ref);
    declared.add(id);
    const base: {
      id: string;
      ref: typeof d.ref;
      deps: readonly string[];
      notes?: readonly string[];
    } = { id, ref: d.ref, deps: d.deps, ...(d.notes ? { notes: d.notes } : {}) };
    const o = seen.get(id);
    if (!ops.global) {
      const access = ctx.projectAccess(d.ref.project);
      if (!access.ok) {
        out.push({ ...base, action: "conflict", reason: access.reason });
        continue;
      }
    }
    if (o === undefined) {
      out.push({
        ...base,
        action: "create",
        desired: d.spec,
        ...(d.create ? { create: d.create } : {}),
        ...(d.unsupported ? { unsupported: d.unsupported } : {}),
      });
      continue;
    }
    if (o.ownership !== "owned" && !(o.ownership === "unowned" && ops.adoptable?.(o))) {
      out.push({
        ...base,
        action: "conflict",
        reason: `${refLabel(d.ref)} ${whyNotOurs(o, ctx.owner)}`,
      });
      continue;
    }
    const broken = ops.repair?.(o);
    if (broken?.note) base.notes = [...(base.notes ?? []), broken.note];
    const fields = [
      ...ops.fields(d.spec, o.spec, d.ref),
      ...(broken ? [{ path: broken.field, before: broken.before, after: "Created" }] : []),
    ];
    const reasons = ops.replaceReasons?.(d, o) ?? [];
    if (reasons.length > 0 && d.create) {
      out.push({
        ...base,
        action: "replace",
        desired: d.spec,
        create: d.create,
        fields,
        reasons,
        ...(d.unsupported ? { unsupported: d.unsupported } : {}),
      });
      continue;
    }
    if (fields.length === 0) continue;
    const restartFields = ops.restartFields?.(fields, o) ?? [];
    const drift = drifted(o);
    if (restartFields.length > 0) {
      out.push({
        ...base,
        action: "update-restart",
        desired: d.spec,
        fields,
        drift,
        restartFields,
      });
    } else {
      out.push({ ...base, action: "update", desired: d.spec, fields, drift });
    }
  }
  for (const o of observed) {
    const id = refId(o.ref);
    if (declared.has(id) || o.ownership !== "owned" || !ctx.inScope(o.ref)) continue;
    if (ops.neverOrphan?.(o)) continue;
    const base = { id, ref: o.ref, deps: [] };
    const blocked = ops.blockDelete?.(o);
    if (ctx.autoCleanup && blocked !== undefined) {
      out.push({
        ...base,
        action: "orphan",
        reason: `no longer declared, but kept: ${blocked}`,
        notes: [`auto_cleanup cannot delete it: ${blocked}`],
      });
    } else if (ctx.autoCleanup) {
      out.push({ ...base, action: "delete", reason: "no longer declared (auto_cleanup: true)" });
    } else {
      out.push({
        ...base,
        action: "orphan",
        reason: "no longer declared; kept because auto_cleanup is off",
      });
    }
  }
  return out;
}
