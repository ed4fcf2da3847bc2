// The storage-volume kind: machines' `storage_volumes` as Incus custom volumes in the domain's
// project, attached to the machine as disk devices (instance kind).
import { labelWith } from "../../kit/adopt-labels.js";
import { diffConfig, diffScalar } from "../../kit/diff-fields.js";
import { diffObjects, type KindDiffOps } from "../../kit/generic-diff.js";
import type { ObservedObject } from "../../model.js";
import type { Reconciler } from "../../reconciler.js";
import { applyVolume } from "./apply.js";
import { desiredVolumes } from "./desired.js";
import { observeVolume, poolNames, volumes } from "./observe.js";
import "./spec.js";

const ops: KindDiffOps<"storage-volume"> = {
  kind: "storage-volume",
  fields: (d, o) => [
    ...diffScalar("description", d.description, o.description),
    ...diffScalar("pool", d.pool, o.pool),
    ...diffConfig("config", d.config, o.config),
  ],
};

export const storageVolumeReconciler = {
  kind: "storage-volume",
  // After the instances using them, before their project.
  deleteRank: 15,
  desired: desiredVolumes,
  async read(live, scope) {
    // One listing of the pools, then one of each pool's custom volumes across all projects.
    const pools = await live.once("storage-pools", poolNames);
    const wanted = new Set(scope.projects);
    const out: ObservedObject<"storage-volume">[] = [];
    for (const pool of pools) {
      const all = await live.once(`volumes/${pool}`, (d) => volumes(d, pool).listAll());
      for (const v of all)
        if (wanted.has(v.project)) out.push(observeVolume(v, v.project, pool, scope.owner));
    }
    return out;
  },
  diff: (desired, observed, ctx) => diffObjects(ops, desired, observed, ctx),
  apply: applyVolume,
  adopt: (desired, d, ctx) => {
    const { project, name } = desired.ref;
    const pool = desired.spec.pool;
    return labelWith(
      ctx,
      () => volumes(d, pool).get(project, name),
      (cur, config, etag) =>
        volumes(d, pool).update(project, name, { description: cur.description, config }, etag),
    );
  },
} satisfies Reconciler<"storage-volume">;
