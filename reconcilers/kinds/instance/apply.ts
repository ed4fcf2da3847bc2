// Instance changes: create from the image, update (GET → PUT with If-Match, server keys copied
// back verbatim), update-restart (stop, write, start; only with --allow-restart), replace, delete.
import { updateWithFreshEtag } from "../../drivers/incus/retry-on-stale.js";
import type { ConfigMap, IncusDriver, Instance, InstancePut } from "../../drivers/incus/types.js";
import { assertOwned, createOrAcceptOurs, done } from "../../kit/apply-guards.js";
import { applyWith } from "../../kit/apply-switch.js";
import { pick } from "../../kit/diff-fields.js";
import type { Change } from "../../model.js";
import type { ApplyContext } from "../../reconciler.js";
import { isServerKey } from "./observe.js";
import type { InstanceSpec } from "./spec.js";

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
        ...(options.target ? { target: options.target } : {}),
      }),
    () => d.getInstance(project, name),
  );
}

export const applyInstance = applyWith<"instance">({
  async create(change, d, ctx) {
    if (change.unsupported)
      return { status: "skipped", reason: `not created: ${change.unsupported}` };
    return done(await create(d, change, change.desired, ctx));
  },
  async update(change, d, ctx) {
    await update(d, change, change.desired, ctx.owner);
    return done();
  },
  async "update-restart"(change, d, ctx) {
    const { project, name } = change.ref;
    if (!ctx.allowRestart) {
      return {
        status: "skipped",
        reason: `needs a restart (${change.restartFields.join(", ")}): run with --allow-restart`,
      };
    }
    const wasRunning = await stopInstance(d, project, name, ctx.stopTimeout);
    await update(d, change, change.desired, ctx.owner);
    if (wasRunning) await d.setInstanceState(project, name, "start");
    return done(wasRunning ? "restarted" : "was not running");
  },
  async replace(change, d, ctx) {
    if (change.unsupported)
      return { status: "skipped", reason: `not replaced: ${change.unsupported}` };
    await removeInstance(d, change, ctx);
    await create(d, change, change.desired, ctx);
    return done(`replaced (${change.reasons.join("; ")})`);
  },
  async delete(change, d, ctx) {
    await removeInstance(d, change, ctx);
    return done();
  },
});
