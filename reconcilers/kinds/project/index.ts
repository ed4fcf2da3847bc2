// The project kind: one Incus project per domain, with its own profiles and the default
// project's images and networks.

import { labelWith } from "../../kit/adopt-labels.js";
import { diffConfig, diffScalar } from "../../kit/diff-fields.js";
import { diffObjects, type KindDiffOps } from "../../kit/generic-diff.js";
import { notOwned } from "../../kit/keepers.js";
import type { Reconciler } from "../../reconciler.js";
import { applyProject } from "./apply.js";
import { desiredProjects } from "./desired.js";
import { observeProject } from "./observe.js";
import "./spec.js";

const ops: KindDiffOps<"project"> = {
  kind: "project",
  global: true,
  // Features are create-time only: compared, they would ask for changes Incus refuses.
  blockDelete: (o) =>
    o.facts.kept
      ? `holds instances plumb does not own (${o.facts.kept}); Incus only removes empty projects`
      : undefined,
  fields: (d, o) => [
    ...diffScalar("description", d.description, o.description),
    ...diffConfig("config", d.config, o.config),
  ],
};

export const projectReconciler = {
  kind: "project",
  // Projects go after their instances and profiles, before the networks they use.
  deleteRank: 30,
  desired: desiredProjects,
  async read(live, scope) {
    const read = new Set(scope.projects);
    const out = [];
    for (const p of await live.projects()) {
      if (p.name === "default") continue;
      const kept = read.has(p.name)
        ? notOwned(await live.instances(p.name), scope.owner).map((i) => i.name)
        : [];
      out.push(observeProject(p, scope.owner, kept));
    }
    return out;
  },
  diff: (desired, observed, ctx) => diffObjects(ops, desired, observed, ctx),
  apply: applyProject,
  adopt: (desired, d, ctx) =>
    labelWith(
      ctx,
      () => d.getProject(desired.ref.name),
      (cur, config, etag) =>
        d.updateProject(desired.ref.name, { description: cur.description, config }, etag),
    ),
} satisfies Reconciler<"project">;
