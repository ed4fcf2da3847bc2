// Projects as plumb sees them: description, the features it sets, its `user.plumb.*` labels.
import type { ConfigMap, Project } from "../../drivers/incus/types.js";
import { pick, sortedConfig } from "../../kit/diff-fields.js";
import { digestOf, ownershipOf, PLUMB_PREFIX } from "../../kit/ownership.js";
import type { ObservedObject } from "../../model.js";
import type { ProjectSpec } from "./spec.js";

/** Features of every project plumb creates. Images are shared with `default` (one download). */
export const PROJECT_FEATURES: ConfigMap = {
  "features.images": "false",
  "features.networks": "false",
  "features.profiles": "true",
  "features.storage.volumes": "true",
};

// Only the features plumb sets: the server adds others (features.storage.buckets) on its own.
const isFeature = (k: string) => k in PROJECT_FEATURES;
export const isPlumb = (k: string) => k.startsWith(PLUMB_PREFIX) && k !== "user.plumb.lock";

export function observeProject(
  p: Project,
  owner: string,
  /** Instances in it plumb does not own (they keep it from being deleted). */
  kept: readonly string[] = [],
): ObservedObject<"project"> {
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
    facts: { profiles: config["features.profiles"] ?? "false", kept: kept.join(",") },
  };
}
