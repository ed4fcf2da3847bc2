// Field-level differences between a desired and an observed managed view: config key by key,
// devices key by key within each device, lists and scalars whole. Pure.
import type { ConfigMap, DeviceMap } from "../drivers/incus/types.js";
import type { FieldChange } from "../model.js";
import { HASH_KEY } from "./ownership.js";

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Differences of two config maps; the ownership hash is never a difference by itself. */
export function diffConfig(prefix: string, desired: ConfigMap, observed: ConfigMap): FieldChange[] {
  const out: FieldChange[] = [];
  const keys = new Set([...Object.keys(desired), ...Object.keys(observed)]);
  for (const k of [...keys].sort(byKey)) {
    if (k === HASH_KEY) continue;
    const d = desired[k];
    const o = observed[k];
    if (d === o) continue;
    out.push({
      path: `${prefix}.${k}`,
      ...(o === undefined ? {} : { before: o }),
      ...(d === undefined ? {} : { after: d }),
    });
  }
  return out;
}

/** Devices: a device added or removed is one change; a changed device, one change per key. */
export function diffDevices(desired: DeviceMap, observed: DeviceMap): FieldChange[] {
  const out: FieldChange[] = [];
  const names = new Set([...Object.keys(desired), ...Object.keys(observed)]);
  for (const n of [...names].sort(byKey)) {
    const d = desired[n];
    const o = observed[n];
    if (d === undefined && o !== undefined) out.push({ path: `devices.${n}`, before: o });
    else if (o === undefined && d !== undefined) out.push({ path: `devices.${n}`, after: d });
    else if (d !== undefined && o !== undefined) out.push(...diffConfig(`devices.${n}`, d, o));
  }
  return out;
}

export function diffScalar(path: string, desired: unknown, observed: unknown): FieldChange[] {
  return sameJson(desired, observed) ? [] : [{ path, before: observed, after: desired }];
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `config.limits.memory` → `limits.memory`; undefined for non-config paths. */
export function configKeyOf(path: string): string | undefined {
  return path.startsWith("config.") ? path.slice("config.".length) : undefined;
}

/** Keeps the keys of `config` that `keep` accepts. */
export function pick(config: ConfigMap, keep: (key: string) => boolean): ConfigMap {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (keep(k)) out[k] = v;
  return out;
}

/** Config with keys sorted, so JSON of equal maps is equal text. */
export function sortedConfig(config: ConfigMap): ConfigMap {
  const out: Record<string, string> = {};
  for (const k of Object.keys(config).sort(byKey)) out[k] = config[k] as string;
  return out;
}

export function sortedDevices(devices: DeviceMap): DeviceMap {
  const out: Record<string, ConfigMap> = {};
  for (const k of Object.keys(devices).sort(byKey)) out[k] = sortedConfig(devices[k] ?? {});
  return out;
}
