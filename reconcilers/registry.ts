// The registry: kind → reconciler, one line per kind (reconcilers/kinds/<kind>/). Creates and
// updates run in this order; deletes in each kind's `deleteRank` order. The planner, the apply
// engine, import and flush only go through it, and the conformance test (registry.test.ts) loops
// over it.
import { instanceReconciler } from "./kinds/instance/index.js";
import { instanceStateReconciler } from "./kinds/instance-state/index.js";
import { networkReconciler } from "./kinds/network/index.js";
import { networkAclReconciler } from "./kinds/network-acl/index.js";
import { profileReconciler } from "./kinds/profile/index.js";
import { projectReconciler } from "./kinds/project/index.js";
import { storageVolumeReconciler } from "./kinds/storage-volume/index.js";
import type { Change, Kind } from "./model.js";
import type { Reconciler } from "./reconciler.js";

export const RECONCILERS = {
  project: projectReconciler,
  "network-acl": networkAclReconciler,
  network: networkReconciler,
  profile: profileReconciler,
  "storage-volume": storageVolumeReconciler,
  instance: instanceReconciler,
  "instance-state": instanceStateReconciler,
} as const satisfies { readonly [K in Kind]: Reconciler<K> };

/** Kinds in the order their creates and updates are applied (the registry's order). */
export const KINDS: readonly Kind[] = Object.keys(RECONCILERS) as Kind[];

/** Deletes run in this order: children before what holds them, networks last (projects use them). */
export const DELETE_ORDER: readonly Kind[] = [...KINDS].sort(
  (a, b) => RECONCILERS[a].deleteRank - RECONCILERS[b].deleteRank,
);

/** The reconciler of a change's kind, typed for that change. */
export function reconcilerFor(change: Change): Reconciler<Kind> {
  return RECONCILERS[change.ref.kind] as unknown as Reconciler<Kind>;
}
