// Profiles: each domain project's `default` profile (root disk + eth0 on the domain bridge),
// which Incus creates with the project and plumb takes over, and the domain's extra profiles.
// Every config key and device is managed (a profile is wholly declared).
import {
  assertOwned,
  createOrAcceptOurs,
  deleteIfOurs,
  done,
  notApplicable,
} from "../apply-guards.js";
import {
  diffConfig,
  diffDevices,
  diffScalar,
  pick,
  sortedConfig,
  sortedDevices,
} from "../diff-fields.js";
import { updateWithFreshEtag } from "../drivers/incus/retry-on-stale.js";
import type { IncusDriver, Profile } from "../drivers/incus/types.js";
import { diffObjects, type KindDiffOps } from "../generic-diff.js";
import type { Change, ObservedObject, ProfileSpec } from "../model.js";
import { digestOf, ownershipOf } from "../ownership.js";
import type { ApplyContext, ApplyOutcome, Reconciler } from "../reconciler.js";

const notVolatile = (k: string) => !k.startsWith("volatile.");

export function observeProfile(
  p: Profile,
  project: string,
  owner: string,
): ObservedObject<"profile"> {
  const ref = { kind: "profile" as const, project, name: p.name };
  const spec: ProfileSpec = {
    description: p.description ?? "",
    config: sortedConfig(pick(p.config ?? {}, notVolatile)),
    devices: sortedDevices(p.devices ?? {}),
  };
  return {
    ref,
    spec,
    ownership: ownershipOf(p.config ?? {}, ref, owner),
    hash: digestOf(spec),
    facts: {},
  };
}

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
};

async function write(
  change: Change<"profile"> & { desired: ProfileSpec },
  d: IncusDriver,
  ctx: ApplyContext,
  adopt: boolean,
): Promise<void> {
  const { project, name } = change.ref;
  const desired = change.desired;
  await updateWithFreshEtag(
    () => d.getProfile(project, name),
    async (cur, etag) => {
      assertOwned(cur.config, change, ctx.owner, adopt);
      const keep = pick(cur.config, (k) => k.startsWith("volatile."));
      const description =
        name === "default" && desired.description === "" ? cur.description : desired.description;
      const value = { ...desired, description, config: { ...keep, ...desired.config } };
      await d.updateProfile(project, name, value, etag);
      return true;
    },
  );
}

async function apply(
  change: Change<"profile">,
  d: IncusDriver,
  ctx: ApplyContext,
): Promise<ApplyOutcome> {
  const { project, name } = change.ref;
  switch (change.action) {
    case "create":
      if (name === "default") {
        await write(change, d, ctx, true);
        return { status: "done", detail: "took over the project's default profile" };
      }
      return done(
        await createOrAcceptOurs(
          change,
          ctx.owner,
          () => d.createProfile(project, { name, ...change.desired }),
          () => d.getProfile(project, name),
        ),
      );
    case "update":
    case "update-restart":
      await write(change, d, ctx, name === "default");
      return { status: "done" };
    case "delete":
      await deleteIfOurs(
        change,
        ctx.owner,
        () => d.getProfile(project, name),
        () => d.deleteProfile(project, name),
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

export const profileReconciler = {
  kind: "profile",
  async read(live, scope) {
    const out: ObservedObject<"profile">[] = [];
    for (const project of scope.projects) {
      for (const p of await live.profiles(project))
        out.push(observeProfile(p, project, scope.owner));
    }
    return out;
  },
  diff: (desired, observed, ctx) => diffObjects(ops, desired, observed, ctx),
  apply,
} satisfies Reconciler<"profile">;
