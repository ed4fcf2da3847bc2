// A machine's `storage_volumes` (anklume's format: name → {pool, size, path}) → one custom volume
// `<machine>-<name>` in the domain's project, on the declared pool (default: the site's), with
// the declared size; the instance kind attaches it as a disk device at `path`. Pure.
import type { EstateMachine } from "../../../core/model/estate.js";
import type { DesiredInput } from "../../desired.js";
import type { ConfigMap, DeviceMap } from "../../drivers/incus/types.js";
import { ref } from "../../kit/desired-kit.js";
import { ownerLabels, sealSpec } from "../../kit/ownership.js";
import { type DesiredObject, refId } from "../../model.js";

interface DeclaredVolume {
  readonly name: string;
  readonly volume: string;
  readonly pool: string;
  readonly size: string | undefined;
  readonly path: string | undefined;
}

function declared(m: EstateMachine, sitePool: string): DeclaredVolume[] {
  return Object.entries(m.declared.storage_volumes ?? {}).map(([name, v]) => ({
    name,
    volume: `${m.name}-${name}`,
    pool: v?.pool ?? sitePool,
    size: v?.size,
    path: v?.path,
  }));
}

/** The disk devices that attach a machine's volumes (those with a `path`), by volume name. */
export function volumeDevices(m: EstateMachine, sitePool: string): DeviceMap {
  const out: Record<string, ConfigMap> = {};
  for (const v of declared(m, sitePool)) {
    if (v.path === undefined) continue;
    out[v.name] = { path: v.path, pool: v.pool, source: v.volume, type: "disk" };
  }
  return out;
}

/** Ids of a machine's volumes (its instance depends on them). */
export function volumeIds(m: EstateMachine, project: string, sitePool: string): string[] {
  return declared(m, sitePool).map((v) => refId(ref("storage-volume", project, v.volume)));
}

export function desiredVolumes(input: DesiredInput): DesiredObject<"storage-volume">[] {
  const out: DesiredObject<"storage-volume">[] = [];
  for (const d of input.domains) {
    for (const m of input.machinesOf(d.name)) {
      for (const v of declared(m, input.options.storagePool)) {
        const r = ref("storage-volume", d.project, v.volume);
        out.push({
          ref: r,
          spec: sealSpec({
            description: `Volume ${v.name} of ${m.name}`,
            pool: v.pool,
            config: {
              ...(v.size !== undefined ? { size: v.size } : {}),
              ...ownerLabels(r, input.options.owner),
            },
          }),
          deps: [refId(ref("project", d.project, d.project))],
          ...(v.path === undefined
            ? { notes: [`no path: created, not attached to ${m.name}`] }
            : {}),
        });
      }
    }
  }
  return out;
}
