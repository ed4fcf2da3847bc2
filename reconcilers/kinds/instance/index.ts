// The instance kind: one instance per machine (containers; VMs are planned, and skipped on hosts
// that cannot run them).
import { labelWith } from "../../kit/adopt-labels.js";
import { diffConfig, diffDevices, diffScalar } from "../../kit/diff-fields.js";
import { diffObjects, type KindDiffOps } from "../../kit/generic-diff.js";
import type { ObservedObject } from "../../model.js";
import type { Reconciler } from "../../reconciler.js";
import { applyInstance } from "./apply.js";
import { desiredInstances } from "./desired.js";
import { observeInstance } from "./observe.js";
import { restartFields } from "./restart-keys.js";
import "./spec.js";

const ops: KindDiffOps<"instance"> = {
  kind: "instance",
  fields: (d, o) => [
    ...diffScalar("description", d.description, o.description),
    ...diffScalar("profiles", d.profiles, o.profiles),
    ...diffConfig("config", d.config, o.config),
    ...diffDevices(d.devices, o.devices),
  ],
  replaceReasons(d, o) {
    const reasons: string[] = [];
    if (d.spec.type !== o.spec.type) reasons.push(`type: ${o.spec.type} → ${d.spec.type}`);
    const before = o.facts.image ?? "";
    const after = d.create?.image ?? "";
    if (before !== "" && after !== "" && before !== after)
      reasons.push(`image: ${before} → ${after}`);
    return reasons;
  },
  restartFields: (fields, o) =>
    o.facts.status === "Running" ? restartFields(o.spec.type, fields) : [],
};

export const instanceReconciler = {
  kind: "instance",
  deleteRank: 10,
  desired: desiredInstances,
  async read(live, scope) {
    const out: ObservedObject<"instance">[] = [];
    for (const project of scope.projects) {
      for (const i of await live.instances(project)) out.push(observeInstance(i, scope.owner));
    }
    return out;
  },
  diff: (desired, observed, ctx) => diffObjects(ops, desired, observed, ctx),
  apply: applyInstance,
  adopt: (desired, d, ctx) => {
    const { project, name } = desired.ref;
    return labelWith(
      ctx,
      () => d.getInstance(project, name),
      (cur, config, etag) =>
        d.updateInstance(
          project,
          name,
          {
            architecture: cur.architecture,
            config,
            devices: cur.devices,
            profiles: cur.profiles,
            description: cur.description,
            ephemeral: cur.ephemeral,
            stateful: cur.stateful,
          },
          etag,
        ),
    );
  },
} satisfies Reconciler<"instance">;
