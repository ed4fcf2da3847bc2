// The profile kind: each domain project's `default` profile, which Incus creates with the
// project and plumb takes over, and the domain's extra profiles. Every config key and device is
// managed (a profile is wholly declared).
import { labelWith } from "../../kit/adopt-labels.js";
import { diffConfig, diffDevices, diffScalar } from "../../kit/diff-fields.js";
import { diffObjects, type KindDiffOps } from "../../kit/generic-diff.js";
import type { ObservedObject } from "../../model.js";
import type { Reconciler } from "../../reconciler.js";
import { restartFields } from "../instance/restart-keys.js";
import { applyProfile } from "./apply.js";
import { desiredProfiles } from "./desired.js";
import { observeProfile, profileUsers } from "./observe.js";
import "./spec.js";

const ops: KindDiffOps<"profile"> = {
  kind: "profile",
  fields: (d, o, ref) => [
    // A default profile's description is Incus's unless the domain declares one.
    ...(ref.name === "default" && d.description === ""
      ? []
      : diffScalar("description", d.description, o.description)),
    ...diffConfig("config", d.config, o.config),
    ...diffDevices(d.devices, o.devices),
  ],
  // Incus creates `default` with the project: plumb takes it over when the project is its own.
  adoptable: (o) => o.ref.name === "default",
  // ... and it goes with the project (Incus refuses to delete a `default` profile).
  neverOrphan: (o) => o.ref.name === "default",
  blockDelete: (o) =>
    o.facts.kept ? `used by instances plumb does not own (${o.facts.kept})` : undefined,
  // A key that needs a restart, set through a profile, reaches the running instances using it.
  restartFields: (fields, o) =>
    o.facts.running
      ? restartFields(o.facts.vm === "true" ? "virtual-machine" : "container", fields)
      : [],
};

export const profileReconciler = {
  kind: "profile",
  deleteRank: 20,
  desired: desiredProfiles,
  async read(live, scope) {
    const out: ObservedObject<"profile">[] = [];
    for (const project of scope.projects) {
      const instances = await live.instances(project);
      for (const p of await live.profiles(project))
        out.push(
          observeProfile(p, project, scope.owner, profileUsers(p.name, instances, scope.owner)),
        );
    }
    return out;
  },
  diff: (desired, observed, ctx) => diffObjects(ops, desired, observed, ctx),
  apply: applyProfile,
  adopt: (desired, d, ctx) => {
    const { project, name } = desired.ref;
    return labelWith(
      ctx,
      () => d.getProfile(project, name),
      (cur, config, etag) =>
        d.updateProfile(
          project,
          name,
          { description: cur.description, config, devices: cur.devices },
          etag,
        ),
    );
  },
} satisfies Reconciler<"profile">;
