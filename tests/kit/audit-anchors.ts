// Test cleanup of audit anchors: the `user.plumb.audit_head.<estate>` keys that applies of a
// test's estates leave on the shared daemon's default project. Only estates named after the
// test's unique prefix (`<prefix>`, `<prefix>-…`, `…-<prefix>`) are touched; written by CAS.
import { ANCHOR_PREFIX } from "../../core/audit/anchor.js";
import { PreconditionFailedError } from "../../reconcilers/drivers/incus/errors.js";
import type { IncusDriver } from "../../reconcilers/drivers/incus/types.js";

type Driver = Pick<IncusDriver, "getProject" | "updateProject">;

/** True when `estate` is one of the estates a test with this unique prefix creates. */
export function estateOfPrefix(estate: string, prefix: string): boolean {
  return (
    estate === prefix ||
    estate.startsWith(`${prefix}-`) ||
    estate.endsWith(`-${prefix}`) ||
    estate.includes(`-${prefix}-`)
  );
}

/** Removes the anchors of the test's estates; returns the keys removed. */
export async function removeAuditAnchors(d: Driver, prefix: string): Promise<string[]> {
  if (prefix.length < 4) throw new Error(`prefix '${prefix}' is too short to clean up by`);
  for (let attempt = 1; ; attempt++) {
    const { value, etag } = await d.getProject("default");
    const gone = Object.keys(value.config).filter(
      (k) => k.startsWith(ANCHOR_PREFIX) && estateOfPrefix(k.slice(ANCHOR_PREFIX.length), prefix),
    );
    if (gone.length === 0) return [];
    const config = Object.fromEntries(
      Object.entries(value.config).filter(([k]) => !gone.includes(k)),
    );
    try {
      await d.updateProject("default", { description: value.description, config }, etag);
      return gone;
    } catch (e) {
      if (!(e instanceof PreconditionFailedError) || attempt >= 8) throw e;
    }
  }
}
