// Bridge changes: create, update (GET → PUT with If-Match, keys plumb does not set kept), delete.
import { updateWithFreshEtag } from "../../drivers/incus/retry-on-stale.js";
import type { ConfigMap, IncusDriver } from "../../drivers/incus/types.js";
import { assertOwned, createOrAcceptOurs, deleteIfOurs, done } from "../../kit/apply-guards.js";
import { applyWith, type ChangeOf } from "../../kit/apply-switch.js";
import { pick } from "../../kit/diff-fields.js";
import type { ApplyOutcome } from "../../reconciler.js";
import { isNetworkKey } from "./observe.js";

function merged(current: ConfigMap, desired: ConfigMap): ConfigMap {
  return { ...pick(current, (k) => !isNetworkKey(k)), ...desired };
}

/**
 * A bridge Incus did not finish creating (Pending/Errored) is deleted and created again, only if
 * it is ours and still not `Created` when re-read (a repair planned twice runs once).
 */
async function repair(
  change: ChangeOf<"network", "update" | "update-restart">,
  d: IncusDriver,
  owner: string,
): Promise<ApplyOutcome> {
  const name = change.ref.name;
  const { value } = await d.getNetwork("default", name);
  assertOwned(value.config, change, owner);
  if ((value.status ?? "Created") === "Created") return done("already repaired");
  await d.deleteNetwork("default", name);
  await d.createNetwork("default", {
    name,
    type: "bridge",
    description: change.desired.description,
    config: merged(value.config, change.desired.config),
  });
  return done(`recreated (was ${value.status})`);
}

export const applyNetwork = applyWith<"network">({
  async create(change, d, ctx) {
    const name = change.ref.name;
    return done(
      await createOrAcceptOurs(
        change,
        ctx.owner,
        () =>
          d.createNetwork("default", {
            name,
            type: "bridge",
            description: change.desired.description,
            config: change.desired.config,
          }),
        () => d.getNetwork("default", name),
      ),
    );
  },
  async update(change, d, ctx) {
    const name = change.ref.name;
    const desired = change.desired;
    if (change.fields.some((f) => f.path === "status")) return repair(change, d, ctx.owner);
    await updateWithFreshEtag(
      () => d.getNetwork("default", name),
      async (cur, etag) => {
        assertOwned(cur.config, change, ctx.owner);
        const value = {
          description: desired.description,
          config: merged(cur.config, desired.config),
        };
        await d.updateNetwork("default", name, value, etag);
        return true;
      },
    );
    return done();
  },
  async delete(change, d, ctx) {
    const name = change.ref.name;
    await deleteIfOurs(
      change,
      ctx.owner,
      () => d.getNetwork("default", name),
      () => d.deleteNetwork("default", name),
    );
    return done();
  },
});
