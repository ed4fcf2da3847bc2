// Profile changes. A project's `default` profile is created by Incus with the project: its
// "create" takes it over (written in place), and it is never deleted on its own. A change that
// needs a restart (update-restart) is written, then the running instances using it restart.
import { retryWhenBusy, updateWithFreshEtag } from "../../drivers/incus/retry-on-stale.js";
import type { IncusDriver } from "../../drivers/incus/types.js";
import { assertOwned, createOrAcceptOurs, deleteIfOurs, done } from "../../kit/apply-guards.js";
import { applyWith } from "../../kit/apply-switch.js";
import { pick } from "../../kit/diff-fields.js";
import { ownershipOf } from "../../kit/ownership.js";
import type { Change } from "../../model.js";
import type { ApplyContext } from "../../reconciler.js";
import { stopInstance } from "../instance/apply.js";
import type { ProfileSpec } from "./spec.js";

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

/**
 * Restarts the running instances of the project that use the profile and that this estate owns
 * (another estate's or a hand-made instance is never restarted: the plan's note says so).
 */
async function restartUsers(
  change: Change<"profile">,
  d: IncusDriver,
  ctx: ApplyContext,
): Promise<string[]> {
  const { project, name } = change.ref;
  const users = (await d.listInstances(project)).filter(
    (i) =>
      i.status === "Running" &&
      i.profiles.includes(name) &&
      ownershipOf(i.config, { kind: "instance", project, name: i.name }, ctx.owner) === "owned",
  );
  for (const i of users) {
    await stopInstance(d, project, i.name, ctx.stopTimeout);
    await retryWhenBusy(() => d.setInstanceState(project, i.name, "start"));
  }
  return users.map((i) => i.name);
}

export const applyProfile = applyWith<"profile">({
  async create(change, d, ctx) {
    const { project, name } = change.ref;
    if (name === "default") {
      await write(change, d, ctx, true);
      return done("took over the project's default profile");
    }
    return done(
      await createOrAcceptOurs(
        change,
        ctx.owner,
        () => d.createProfile(project, { name, ...change.desired }),
        () => d.getProfile(project, name),
      ),
    );
  },
  async update(change, d, ctx) {
    await write(change, d, ctx, change.ref.name === "default");
    return done();
  },
  async "update-restart"(change, d, ctx) {
    if (!ctx.allowRestart) {
      return {
        status: "skipped",
        reason: `the running instances using it need a restart (${change.restartFields.join(", ")}): run with --allow-restart`,
      };
    }
    await write(change, d, ctx, change.ref.name === "default");
    const restarted = await restartUsers(change, d, ctx);
    return done(restarted.length > 0 ? `restarted ${restarted.join(", ")}` : "none running");
  },
  async delete(change, d, ctx) {
    const { project, name } = change.ref;
    await deleteIfOurs(
      change,
      ctx.owner,
      () => d.getProfile(project, name),
      () => d.deleteProfile(project, name),
    );
    return done();
  },
});
