// The network-acl kind: network_policies enforced by Incus's own firewall — one ACL per domain
// bridge, default drop between domains, an allow rule per policy.
import { labelWith } from "../../kit/adopt-labels.js";
import { diffConfig, diffScalar } from "../../kit/diff-fields.js";
import { diffObjects, type KindDiffOps } from "../../kit/generic-diff.js";
import type { Reconciler } from "../../reconciler.js";
import { applyAcl } from "./apply.js";
import { desiredAcls } from "./desired.js";
import { ACL_PROJECT, acls, observeAcl } from "./observe.js";
import "./spec.js";

const ops: KindDiffOps<"network-acl"> = {
  kind: "network-acl",
  global: true,
  fields: (d, o) => [
    ...diffScalar("description", d.description, o.description),
    ...diffConfig("config", d.config, o.config),
    ...diffScalar("ingress", d.ingress, o.ingress),
    ...diffScalar("egress", d.egress, o.egress),
  ],
};

export const networkAclReconciler = {
  kind: "network-acl",
  // After the bridges that name them.
  deleteRank: 95,
  desired: desiredAcls,
  async read(live, scope) {
    const all = await live.once("network-acls", (d) => acls(d).list(ACL_PROJECT));
    return all.map((a) => observeAcl(a, scope.owner));
  },
  diff: (desired, observed, ctx) => diffObjects(ops, desired, observed, ctx),
  apply: applyAcl,
  adopt: (desired, d, ctx) =>
    labelWith(
      ctx,
      () => acls(d).get(ACL_PROJECT, desired.ref.name),
      (cur, config, etag) =>
        acls(d).update(
          ACL_PROJECT,
          desired.ref.name,
          { description: cur.description, config, ingress: cur.ingress, egress: cur.egress },
          etag,
        ),
    ),
} satisfies Reconciler<"network-acl">;
