// The network kind: one bridge `net-<domain>` per domain, in the default project (domain projects
// have `features.networks=false`).
import { labelWith } from "../../kit/adopt-labels.js";
import { diffConfig, diffScalar } from "../../kit/diff-fields.js";
import { diffObjects, type KindDiffOps } from "../../kit/generic-diff.js";
import { networkKeepers } from "../../kit/keepers.js";
import type { Reconciler } from "../../reconciler.js";
import { applyNetwork } from "./apply.js";
import { desiredNetworks } from "./desired.js";
import { observeNetwork } from "./observe.js";
import { repairBlockers } from "./repair-blockers.js";
import "./spec.js";

const ops: KindDiffOps<"network"> = {
  kind: "network",
  global: true,
  // Incus leaves a bridge `Pending` (or `Errored`) when its creation was interrupted: instances on
  // it fail to start ("Parent device … doesn't exist") until it is recreated.
  repair: (o) =>
    o.facts.status && o.facts.status !== "Created"
      ? {
          field: "status",
          before: o.facts.status,
          note: o.facts.repairBlocked
            ? `cannot be recreated while ${o.facts.repairBlocked} (not plumb's) use it: the apply refuses (PLB741)`
            : "unfinished bridge: recreated, with the NICs of plumb's profiles and instances on it detached meanwhile",
        }
      : undefined,
  blockDelete: (o) =>
    o.facts.kept ? `still used by instances plumb does not own (${o.facts.kept})` : undefined,
  fields: (d, o) => [
    ...diffScalar("description", d.description, o.description),
    ...diffConfig("config", d.config, o.config),
  ],
};

export const networkReconciler = {
  kind: "network",
  // Last: projects' instances and profiles use the bridges.
  deleteRank: 90,
  // Incus 6.0 lists the host's links while deleting a bridge: two bridges deleted at once can
  // fail with "Failed to delete bridge children interfaces … Device does not exist".
  maxConcurrency: 1,
  desired: desiredNetworks,
  async read(live, scope) {
    const out = [];
    for (const n of await live.networks()) {
      if (!n.managed) continue;
      const observed = observeNetwork(n, scope.owner, await networkKeepers(n.used_by, live, scope));
      const blocked =
        observed.facts.status === "Created" ? [] : await repairBlockers(n.used_by, live, scope);
      out.push(
        blocked.length > 0
          ? { ...observed, facts: { ...observed.facts, repairBlocked: blocked.join(", ") } }
          : observed,
      );
    }
    return out;
  },
  diff: (desired, observed, ctx) => diffObjects(ops, desired, observed, ctx),
  apply: applyNetwork,
  adopt: (desired, d, ctx) =>
    labelWith(
      ctx,
      () => d.getNetwork("default", desired.ref.name),
      (cur, config, etag) =>
        d.updateNetwork(
          "default",
          desired.ref.name,
          { description: cur.description, config },
          etag,
        ),
    ),
} satisfies Reconciler<"network">;
