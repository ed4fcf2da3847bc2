// ACL changes: create, update (GET → PUT with If-Match; config keys plumb does not set are kept),
// delete (Incus refuses while a bridge still names it: the network's delete or update runs first).
import { updateWithFreshEtag } from "../../drivers/incus/retry-on-stale.js";
import { assertOwned, createOrAcceptOurs, deleteIfOurs, done } from "../../kit/apply-guards.js";
import { applyWith } from "../../kit/apply-switch.js";
import { pick } from "../../kit/diff-fields.js";
import { ACL_PROJECT, acls, isPlumbKey } from "./observe.js";

export const applyAcl = applyWith<"network-acl">({
  async create(change, d, ctx) {
    const name = change.ref.name;
    return done(
      await createOrAcceptOurs(
        change,
        ctx.owner,
        () => acls(d).create(ACL_PROJECT, { name, ...change.desired }),
        () => acls(d).get(ACL_PROJECT, name),
      ),
    );
  },
  async update(change, d, ctx) {
    const name = change.ref.name;
    const desired = change.desired;
    await updateWithFreshEtag(
      () => acls(d).get(ACL_PROJECT, name),
      async (cur, etag) => {
        assertOwned(cur.config, change, ctx.owner);
        const config = { ...pick(cur.config, (k) => !isPlumbKey(k)), ...desired.config };
        await acls(d).update(ACL_PROJECT, name, { ...desired, config }, etag);
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
      () => acls(d).get(ACL_PROJECT, name),
      () => acls(d).delete(ACL_PROJECT, name),
    );
    return done();
  },
});
