// The instance-state kind: running or stopped as declared (`state:`, default running). Missing
// instances are started by their create (one Incus operation); unowned ones are the instance
// kind's conflict. Never orphans: an instance's deletion is the instance kind's.
import { retryWhenBusy } from "../../drivers/incus/retry-on-stale.js";
import type { IncusDriver } from "../../drivers/incus/types.js";
import { assertOwned, done } from "../../kit/apply-guards.js";
import { applyWith } from "../../kit/apply-switch.js";
import { ref } from "../../kit/desired-kit.js";
import { ownershipOf } from "../../kit/ownership.js";
import type { Change, DesiredObject, ObservedObject } from "../../model.js";
import { refId } from "../../model.js";
import type { Reconciler } from "../../reconciler.js";
import { stopInstance } from "../instance/apply.js";
import { unsupportedReason } from "../instance/desired.js";
import type { StateSpec } from "./spec.js";
import { instancesInFlight, unfinishedReason } from "./unfinished.js";

export function observeState(
  i: { name: string; project: string; status: string; config: Record<string, string> },
  owner: string,
  inFlight: ReadonlyMap<string, string> = new Map(),
): ObservedObject<"instance-state"> {
  const r = { kind: "instance-state" as const, project: i.project, name: i.name };
  const instanceRef = { kind: "instance" as const, project: i.project, name: i.name };
  const status = i.status === "Running" ? "Running" : "Stopped";
  return {
    ref: r,
    spec: { status } satisfies StateSpec,
    ownership: ownershipOf(i.config ?? {}, instanceRef, owner),
    hash: `status:${i.status}`,
    facts: { status: i.status, type: "", unfinished: unfinishedReason(i, inFlight) ?? "" },
  };
}

async function checkOwned(d: IncusDriver, change: Change<"instance-state">, owner: string) {
  const { project, name } = change.ref;
  const { value } = await d.getInstance(project, name);
  const instanceRef = { kind: "instance" as const, project, name };
  assertOwned(value.config, { ...change, ref: instanceRef } as Change, owner);
  return value;
}

const apply = applyWith<"instance-state">({
  async start(change, d, ctx) {
    const { project, name } = change.ref;
    const i = await checkOwned(d, change, ctx.owner);
    if (i.type === "virtual-machine" && !ctx.vmSupported) {
      return { status: "skipped", reason: "this host cannot run virtual machines" };
    }
    const r = await retryWhenBusy(() => d.setInstanceState(project, name, "start"));
    return r.changed ? done() : done("already running");
  },
  async stop(change, d, ctx) {
    const { project, name } = change.ref;
    await checkOwned(d, change, ctx.owner);
    const changed = await stopInstance(d, project, name, ctx.stopTimeout);
    return changed ? done() : done("already stopped");
  },
});

export const instanceStateReconciler = {
  kind: "instance-state",
  // First: a state has nothing to delete (its instance's delete stops it).
  deleteRank: 0,
  desired(input) {
    const out: DesiredObject<"instance-state">[] = [];
    for (const d of input.domains) {
      for (const m of input.machinesOf(d.name)) {
        const unsupported = unsupportedReason(m, input.options);
        out.push({
          ref: ref("instance-state", d.project, m.name),
          spec: { status: m.declared.state === "stopped" ? "Stopped" : "Running" },
          deps: [refId(ref("instance", d.project, m.name))],
          ...(unsupported ? { unsupported } : {}),
        });
      }
    }
    return out;
  },
  async read(live, scope) {
    const instances = (await Promise.all(scope.projects.map((p) => live.instances(p)))).flat();
    // Operations are read only when an instance is not running (a no-op plan never pays for it).
    const inFlight = instances.some((i) => i.status !== "Running")
      ? instancesInFlight(await live.once("operations", (d) => d.runningOperations()))
      : new Map<string, string>();
    return instances.map((i) => observeState(i, scope.owner, inFlight));
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
      const note = action === "start" ? o.facts.unfinished : undefined;
      out.push({
        id: refId(d.ref),
        ref: d.ref,
        deps: d.deps,
        action,
        ...(note ? { notes: [note] } : {}),
      });
    }
    return out;
  },
  apply,
} satisfies Reconciler<"instance-state">;
