// Instance state: running or stopped as declared (`state:`, default running). Missing instances
// are started by their create (one Incus operation); unowned ones are the instance kind's
// conflict. Never orphans: an instance's deletion is the instance kind's.
import { assertOwned, notApplicable } from "../apply-guards.js";
import { retryWhenBusy } from "../drivers/incus/retry-on-stale.js";
import type { IncusDriver } from "../drivers/incus/types.js";
import { stopInstance } from "../instance/instance.js";
import type { Change, ObservedObject, StateSpec } from "../model.js";
import { refId } from "../model.js";
import { ownershipOf } from "../ownership.js";
import type { ApplyContext, ApplyOutcome, Reconciler } from "../reconciler.js";

export function observeState(
  i: { name: string; project: string; status: string; config: Record<string, string> },
  owner: string,
): ObservedObject<"instance-state"> {
  const ref = { kind: "instance-state" as const, project: i.project, name: i.name };
  const instanceRef = { kind: "instance" as const, project: i.project, name: i.name };
  const status = i.status === "Running" ? "Running" : "Stopped";
  return {
    ref,
    spec: { status } satisfies StateSpec,
    ownership: ownershipOf(i.config ?? {}, instanceRef, owner),
    hash: `status:${i.status}`,
    facts: { status: i.status, type: "" },
  };
}

async function apply(
  change: Change<"instance-state">,
  d: IncusDriver,
  ctx: ApplyContext,
): Promise<ApplyOutcome> {
  const { project, name } = change.ref;
  const check = async () => {
    const { value } = await d.getInstance(project, name);
    const instanceRef = { kind: "instance" as const, project, name };
    assertOwned(value.config, { ...change, ref: instanceRef } as Change, ctx.owner);
    return value;
  };
  switch (change.action) {
    case "start": {
      const i = await check();
      if (i.type === "virtual-machine" && !ctx.vmSupported) {
        return { status: "skipped", reason: "this host cannot run virtual machines" };
      }
      const r = await retryWhenBusy(() => d.setInstanceState(project, name, "start"));
      return r.changed ? { status: "done" } : { status: "done", detail: "already running" };
    }
    case "stop": {
      await check();
      const changed = await stopInstance(d, project, name, ctx.stopTimeout);
      return changed ? { status: "done" } : { status: "done", detail: "already stopped" };
    }
    case "create":
    case "update":
    case "update-restart":
    case "replace":
    case "delete":
    case "orphan":
    case "conflict":
      return notApplicable(change);
  }
}

export const instanceStateReconciler = {
  kind: "instance-state",
  async read(live, scope) {
    const out: ObservedObject<"instance-state">[] = [];
    for (const project of scope.projects) {
      for (const i of await live.instances(project)) out.push(observeState(i, scope.owner));
    }
    return out;
  },
  diff(desired, observed, ctx) {
    const seen = new Map(observed.map((o) => [refId(o.ref), o]));
    const out: Change<"instance-state">[] = [];
    for (const d of desired) {
      const o = seen.get(refId(d.ref));
      // Absent: its create starts it. Not ours: the instance kind reports the conflict.
      if (o === undefined || o.ownership !== "owned" || !ctx.projectAccess(d.ref.project).ok)
        continue;
      if (o.spec.status === d.spec.status || d.unsupported) continue;
      const action = d.spec.status === "Running" ? "start" : "stop";
      out.push({ id: refId(d.ref), ref: d.ref, deps: d.deps, action });
    }
    return out;
  },
  apply,
} satisfies Reconciler<"instance-state">;
