// Profile changes. A project's `default` profile is created by Incus with the project: its
// "create" takes it over (written in place), and it is never deleted on its own.
import { updateWithFreshEtag } from "../../drivers/incus/retry-on-stale.js";
import type { IncusDriver } from "../../drivers/incus/types.js";
import { assertOwned, createOrAcceptOurs, deleteIfOurs, done } from "../../kit/apply-guards.js";
import { applyWith } from "../../kit/apply-switch.js";
import { pick } from "../../kit/diff-fields.js";
import type { Change } from "../../model.js";
import type { ApplyContext } from "../../reconciler.js";
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
