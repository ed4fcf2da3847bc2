// Projects: one per domain, with its own profiles and the default project's images and networks.
// Features are set at creation only (Incus refuses to change them on a non-empty project, and a
// PATCH with config wipes them: incus-api.md B2); updates are GET → PUT with If-Match.
import {
  assertOwned,
  createOrAcceptOurs,
  deleteIfOurs,
  done,
  notApplicable,
} from "../apply-guards.js";
import { PROJECT_FEATURES } from "../desired.js";
import { diffConfig, diffScalar, pick, sortedConfig } from "../diff-fields.js";
import { updateWithFreshEtag } from "../drivers/incus/retry-on-stale.js";
import type { ConfigMap, IncusDriver, Project } from "../drivers/incus/types.js";
import { diffObjects, type KindDiffOps } from "../generic-diff.js";
import type { Change, ObservedObject, ProjectSpec } from "../model.js";
import { digestOf, ownershipOf, PLUMB_PREFIX } from "../ownership.js";
import type { ApplyContext, ApplyOutcome, Reconciler } from "../reconciler.js";

// Only the features plumb sets: the server adds others (features.storage.buckets) on its own.
const isFeature = (k: string) => k in PROJECT_FEATURES;
const isPlumb = (k: string) => k.startsWith(PLUMB_PREFIX) && k !== "user.plumb.lock";

export function observeProject(p: Project, owner: string): ObservedObject<"project"> {
  const ref = { kind: "project" as const, project: p.name, name: p.name };
  const config = p.config ?? {};
  const spec: ProjectSpec = {
    description: p.description ?? "",
    features: sortedConfig(pick(config, isFeature)),
    config: sortedConfig(pick(config, isPlumb)),
  };
  return {
    ref,
    spec,
    ownership: ownershipOf(config, ref, owner),
    hash: digestOf(spec),
    facts: { profiles: config["features.profiles"] ?? "false" },
  };
}

const ops: KindDiffOps<"project"> = {
  kind: "project",
  // Features are create-time only: compared, they would ask for changes Incus refuses.
  fields: (d, o) => [
    ...diffScalar("description", d.description, o.description),
    ...diffConfig("config", d.config, o.config),
  ],
};

/** The full config to PUT: the live one with plumb's keys replaced by the desired ones. */
function mergedConfig(current: ConfigMap, desired: ConfigMap): ConfigMap {
  return { ...pick(current, (k) => !isPlumb(k)), ...desired };
}

async function apply(
  change: Change<"project">,
  d: IncusDriver,
  ctx: ApplyContext,
): Promise<ApplyOutcome> {
  const name = change.ref.name;
  switch (change.action) {
    case "create":
      return done(
        await createOrAcceptOurs(
          change,
          ctx.owner,
          () =>
            d.createProject({
              name,
              description: change.desired.description,
              config: { ...change.desired.features, ...change.desired.config },
            }),
          () => d.getProject(name),
        ),
      );
    case "update":
    case "update-restart": {
      const desired = change.desired;
      await updateWithFreshEtag(
        () => d.getProject(name),
        async (cur, etag) => {
          assertOwned(cur.config, change, ctx.owner);
          await d.updateProject(
            name,
            { description: desired.description, config: mergedConfig(cur.config, desired.config) },
            etag,
          );
          return true;
        },
      );
      return { status: "done" };
    }
    case "delete":
      await deleteIfOurs(
        change,
        ctx.owner,
        () => d.getProject(name),
        () => d.deleteProject(name),
      );
      return { status: "done" };
    case "replace":
    case "start":
    case "stop":
    case "orphan":
    case "conflict":
      return notApplicable(change);
  }
}

export const projectReconciler = {
  kind: "project",
  async read(live, scope) {
    return (await live.projects())
      .filter((p) => p.name !== "default")
      .map((p) => observeProject(p, scope.owner));
  },
  diff: (desired, observed, ctx) => diffObjects(ops, desired, observed, ctx),
  apply: (change, driver, ctx) => apply(change, driver, ctx),
} satisfies Reconciler<"project">;
