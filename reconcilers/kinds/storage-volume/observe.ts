// Custom volumes as plumb sees them: description, pool, `size` and the labels (the server's
// keys — block.*, volatile.* — are neither compared nor touched).
import type { IncusDriver } from "../../drivers/incus/types.js";
import { pick, sortedConfig } from "../../kit/diff-fields.js";
import { digestOf, ownershipOf, PLUMB_PREFIX } from "../../kit/ownership.js";
import type { ObservedObject } from "../../model.js";
import type { CustomVolume, CustomVolumeWrite, StorageVolumeSpec } from "./spec.js";

export const volumes = (d: IncusDriver, pool: string) =>
  d.collection<CustomVolume, CustomVolumeWrite>(
    `storage-pools/${encodeURIComponent(pool)}/volumes/custom`,
  );

/** Names of the storage pools (one call, without the pools' `used_by`). */
export async function poolNames(d: IncusDriver): Promise<string[]> {
  return (await d.collection<{ name: string }, never>("storage-pools").names("default")).sort();
}

export const isVolumeKey = (k: string) => k === "size" || k.startsWith(PLUMB_PREFIX);

export function observeVolume(
  v: CustomVolume,
  project: string,
  pool: string,
  owner: string,
): ObservedObject<"storage-volume"> {
  const ref = { kind: "storage-volume" as const, project, name: v.name };
  const spec: StorageVolumeSpec = {
    description: v.description ?? "",
    pool,
    config: sortedConfig(pick(v.config ?? {}, isVolumeKey)),
  };
  return {
    ref,
    spec,
    ownership: ownershipOf(v.config ?? {}, ref, owner),
    hash: digestOf(spec),
    facts: { pool },
  };
}
