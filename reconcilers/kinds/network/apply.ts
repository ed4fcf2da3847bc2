// Bridge changes: create, update (GET → PUT with If-Match, keys plumb does not set kept), repair
// of an unfinished bridge (repair.ts), delete.
import { updateWithFreshEtag } from "../../drivers/incus/retry-on-stale.js";
import type { ConfigMap } from "../../drivers/incus/types.js";
import { assertOwned, createOrAcceptOurs, deleteIfOurs, done } from "../../kit/apply-guards.js";
import { applyWith } from "../../kit/apply-switch.js";
import { pick } from "../../kit/diff-fields.js";
import { isNetworkKey } from "./observe.js";
import { repairBridge } from "./repair.js";

function merged(current: ConfigMap, desired: ConfigMap): ConfigMap {
  return { ...pick(current, (k) => !isNetworkKey(k)), ...desired };
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
    if (change.fields.some((f) => f.path === "status")) return repairBridge(change, d, ctx.owner);
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
