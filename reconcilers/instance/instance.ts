// Instances: one per machine (containers; VMs are planned, and skipped on hosts that cannot run
// them). Only the local config and devices are compared, never `expanded_*`; `volatile.*` and
// `image.*` belong to the server and are copied back verbatim on every PUT (incus-api.md B3).
import { assertOwned, createOrAcceptOurs, done, notApplicable } from "../apply-guards.js";
import {
  diffConfig,
  diffDevices,
  diffScalar,
  pick,
  sortedConfig,
  sortedDevices,
} from "../diff-fields.js";
import { updateWithFreshEtag } from "../drivers/incus/retry-on-stale.js";
import type { ConfigMap, IncusDriver, Instance, InstancePut } from "../drivers/incus/types.js";
import { diffObjects, type KindDiffOps } from "../generic-diff.js";
import type { Change, InstanceSpec, ObservedObject } from "../model.js";
import { digestOf, IMAGE_KEY, ownershipOf } from "../ownership.js";
import type { ApplyContext, ApplyOutcome, Reconciler } from "../reconciler.js";
import { restartFields } from "./restart-keys.js";

/** Keys the server writes and owns: never compared, always preserved. */
export const isServerKey = (k: string) => k.startsWith("volatile.") || k.startsWith("image.");

export function observeInstance(i: Instance, owner: string): ObservedObject<"instance"> {
  const ref = { kind: "instance" as const, project: i.project, name: i.name };
  const config = i.config ?? {};
  const spec: InstanceSpec = {
    description: i.description ?? "",
    type: i.type,
    profiles: [...(i.profiles ?? [])],
    config: sortedConfig(pick(config, (k) => !isServerKey(k))),
    devices: sortedDevices(i.devices ?? {}),
  };
  return {
    ref,
    spec,
    ownership: ownershipOf(config, ref, owner),
    hash: digestOf({ spec, status: i.status }),
    facts: { status: i.status, image: config[IMAGE_KEY] ?? "" },
  };
}

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

/** The full PUT body: the desired view over what only the server may hold. */
export function instancePut(current: Instance, desired: InstanceSpec): InstancePut {
  return {
    architecture: current.architecture,
    config: { ...pick(current.config, isServerKey), ...desired.config } as ConfigMap,
    devices: desired.devices,
    profiles: desired.profiles,
    description: desired.description,
    ephemeral: current.ephemeral,
    stateful: current.stateful,
  };
}

async function update(
  d: IncusDriver,
  change: Change<"instance">,
  desired: InstanceSpec,
  owner: string,
) {
  const { project, name } = change.ref;
  await updateWithFreshEtag(
    () => d.getInstance(project, name),
    async (cur, etag) => {
      assertOwned(cur.config, change, owner);
      await d.updateInstance(project, name, instancePut(cur, desired), etag);
      return true;
    },
  );
}

/** Stops cleanly within the timeout, else forcibly. False when it was not running. */
export async function stopInstance(d: IncusDriver, project: string, name: string, timeout: number) {
  try {
    return (await d.setInstanceState(project, name, "stop", { timeout })).changed;
  } catch {
    return (await d.setInstanceState(project, name, "stop", { force: true })).changed;
  }
}

/** Delete protection off, stopped, deleted; refuses an instance plumb does not own. */
export async function removeInstance(
  d: IncusDriver,
  change: Change<"instance">,
  ctx: ApplyContext,
) {
  const { project, name } = change.ref;
  await updateWithFreshEtag(
    () => d.getInstance(project, name),
    async (cur, etag) => {
      assertOwned(cur.config, change, ctx.owner);
      if (cur.config["security.protection.delete"] !== "true") return false;
      const { "security.protection.delete": _p, ...config } = cur.config;
      const put: InstancePut = {
        architecture: cur.architecture,
        config,
        devices: cur.devices,
        profiles: cur.profiles,
        description: cur.description,
        ephemeral: cur.ephemeral,
        stateful: cur.stateful,
      };
      await d.updateInstance(project, name, put, etag);
      return true;
    },
  );
  await d.setInstanceState(project, name, "stop", { force: true });
  await d.deleteInstance(project, name);
}

async function create(
  d: IncusDriver,
  change: Change<"instance">,
  desired: InstanceSpec,
  ctx: ApplyContext,
) {
  const { project, name } = change.ref;
  const options = "create" in change ? change.create : undefined;
  if (options === undefined) throw new Error(`create of ${change.id} has no image`);
  // An interrupted run of ours may have created it: converge on the next plan, never twice.
  return createOrAcceptOurs(
    change,
    ctx.owner,
    () =>
      d.createInstance(project, {
        name,
        type: desired.type,
        source: options.source,
        profiles: desired.profiles,
        config: desired.config,
        devices: desired.devices,
        description: desired.description,
        start: options.start,
      }),
    () => d.getInstance(project, name),
  );
}

async function apply(
  change: Change<"instance">,
  d: IncusDriver,
  ctx: ApplyContext,
): Promise<ApplyOutcome> {
  const { project, name } = change.ref;
  switch (change.action) {
    case "create": {
      if (change.unsupported)
        return { status: "skipped", reason: `not created: ${change.unsupported}` };
      return done(await create(d, change, change.desired, ctx));
    }
    case "update":
      await update(d, change, change.desired, ctx.owner);
      return { status: "done" };
    case "update-restart": {
      if (!ctx.allowRestart) {
        return {
          status: "skipped",
          reason: `needs a restart (${change.restartFields.join(", ")}): run with --allow-restart`,
        };
      }
      const wasRunning = await stopInstance(d, project, name, ctx.stopTimeout);
      await update(d, change, change.desired, ctx.owner);
      if (wasRunning) await d.setInstanceState(project, name, "start");
      return { status: "done", detail: wasRunning ? "restarted" : "was not running" };
    }
    case "replace":
      if (change.unsupported)
        return { status: "skipped", reason: `not replaced: ${change.unsupported}` };
      await removeInstance(d, change, ctx);
      await create(d, change, change.desired, ctx);
      return { status: "done", detail: `replaced (${change.reasons.join("; ")})` };
    case "delete":
      await removeInstance(d, change, ctx);
      return { status: "done" };
    case "start":
    case "stop":
    case "orphan":
    case "conflict":
      return notApplicable(change);
  }
}

export const instanceReconciler = {
  kind: "instance",
  async read(live, scope) {
    const out: ObservedObject<"instance">[] = [];
    for (const project of scope.projects) {
      for (const i of await live.instances(project)) out.push(observeInstance(i, scope.owner));
    }
    return out;
  },
  diff: (desired, observed, ctx) => diffObjects(ops, desired, observed, ctx),
  apply,
} satisfies Reconciler<"instance">;
