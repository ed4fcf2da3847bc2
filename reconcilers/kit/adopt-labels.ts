// `plumb import`'s write, shared by every kind: GET → PUT with If-Match over the full live
// object, with only the labels added, so nothing else changes; another estate's object is skipped.
import { updateWithFreshEtag } from "../drivers/incus/retry-on-stale.js";
import type { ConfigMap, Etagged } from "../drivers/incus/types.js";
import type { AdoptContext } from "../reconciler.js";

export function labelWith<T extends { readonly config: ConfigMap }>(
  ctx: AdoptContext,
  read: () => Promise<Etagged<T>>,
  write: (current: T, config: ConfigMap, etag: string) => Promise<void>,
): Promise<boolean> {
  return updateWithFreshEtag(read, async (cur, etag) => {
    if (!ctx.mayTake(cur.config)) return false;
    await write(cur, { ...cur.config, ...ctx.labels }, etag);
    return true;
  });
}
