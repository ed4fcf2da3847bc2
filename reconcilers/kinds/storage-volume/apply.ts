// Volume changes: create (filesystem), update (GET → PUT with If-Match: size and labels; keys the
// server sets are kept), delete (Incus refuses while an instance still uses it: instances go
// first). A volume is never moved between pools: such a change is refused (PLB740).
import { PlumbError } from "../../../core/errors.js";
import { NotFoundError } from "../../drivers/incus/errors.js";
import { updateWithFreshEtag } from "../../drivers/incus/retry-on-stale.js";
import type { IncusDriver } from "../../drivers/incus/types.js";
import { assertOwned, createOrAcceptOurs, deleteIfOurs, done } from "../../kit/apply-guards.js";
import { applyWith } from "../../kit/apply-switch.js";
import { pick } from "../../kit/diff-fields.js";
import { isVolumeKey, poolNames, volumes } from "./observe.js";

/** The pool holding the volume (a delete carries no spec): the first pool that has it. */
async function poolHolding(d: IncusDriver, project: string, name: string): Promise<string> {
  for (const pool of await poolNames(d)) {
    const found = await volumes(d, pool)
      .get(project, name)
      .then(
        () => true,
        (err: unknown) => {
          if (err instanceof NotFoundError) return false;
          throw err;
        },
      );
    if (found) return pool;
  }
  throw new NotFoundError({
    method: "GET",
    endpoint: `/1.0/storage-pools/*/volumes/custom/${name}?project=${project}`,
  });
}

export const applyVolume = applyWith<"storage-volume">({
  async create(change, d, ctx) {
    const { project, name } = change.ref;
    const { pool, ...rest } = change.desired;
    return done(
      await createOrAcceptOurs(
        change,
        ctx.owner,
        () => volumes(d, pool).create(project, { name, ...rest, content_type: "filesystem" }),
        () => volumes(d, pool).get(project, name),
      ),
    );
  },
  async update(change, d, ctx) {
    const { project, name } = change.ref;
    const moved = change.fields.find((f) => f.path === "pool");
    if (moved) {
      throw new PlumbError(
        "PLB740",
        `volume ${project}/${name} is on pool '${String(moved.before)}', declared on '${String(moved.after)}': plumb does not move volumes between pools`,
        {
          hint: "Move it by hand (incus storage volume move), or declare its current pool.",
        },
      );
    }
    const desired = change.desired;
    await updateWithFreshEtag(
      () => volumes(d, desired.pool).get(project, name),
      async (cur, etag) => {
        assertOwned(cur.config, change, ctx.owner);
        const config = { ...pick(cur.config, (k) => !isVolumeKey(k)), ...desired.config };
        await volumes(d, desired.pool).update(
          project,
          name,
          { description: desired.description, config },
          etag,
        );
        return true;
      },
    );
    return done();
  },
  async delete(change, d, ctx) {
    const { project, name } = change.ref;
    const pool = await poolHolding(d, project, name);
    await deleteIfOurs(
      change,
      ctx.owner,
      () => volumes(d, pool).get(project, name),
      () => volumes(d, pool).delete(project, name),
    );
    return done();
  },
});
