// Project changes. Features are set at creation only (Incus refuses to change them on a
// non-empty project, and a PATCH with config wipes them on Incus 6.0.4); updates are GET → PUT
// with If-Match.
import { updateWithFreshEtag } from "../../drivers/incus/retry-on-stale.js";
import type { ConfigMap } from "../../drivers/incus/types.js";
import { assertOwned, createOrAcceptOurs, deleteIfOurs, done } from "../../kit/apply-guards.js";
import { applyWith } from "../../kit/apply-switch.js";
import { pick } from "../../kit/diff-fields.js";
import { isPlumb } from "./observe.js";

/** The full config to PUT: the live one with plumb's keys replaced by the desired ones. */
function mergedConfig(current: ConfigMap, desired: ConfigMap): ConfigMap {
  return { ...pick(current, (k) => !isPlumb(k)), ...desired };
}

export const applyProject = applyWith<"project">({
  async create(change, d, ctx) {
    const name = change.ref.name;
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
  },
  async update(change, d, ctx) {
    const { name } = change.ref;
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
    return done();
  },
  async delete(change, d, ctx) {
    const { name } = change.ref;
    await deleteIfOurs(
      change,
      ctx.owner,
      () => d.getProject(name),
      () => d.deleteProject(name),
    );
    return done();
  },
});
