// The registry: kind → reconciler. The planner and the apply engine only go through it, and the
// conformance test (registry.test.ts) loops over it.
import { instanceReconciler } from "./instance/instance.js";
import { instanceStateReconciler } from "./instance-state/instance-state.js";
import type { Change, Kind } from "./model.js";
import { networkReconciler } from "./network/network.js";
import { profileReconciler } from "./profile/profile.js";
import { projectReconciler } from "./project/project.js";
import type { Reconciler } from "./reconciler.js";

export const RECONCILERS = {
  project: projectReconciler,
  network: networkReconciler,
  profile: profileReconciler,
  instance: instanceReconciler,
  "instance-state": instanceStateReconciler,
} as const satisfies { readonly [K in Kind]: Reconciler<K> };

/** The reconciler of a change's kind, typed for that change. */
export function reconcilerFor(change: Change): Reconciler<Kind> {
  return RECONCILERS[change.ref.kind] as unknown as Reconciler<Kind>;
}
