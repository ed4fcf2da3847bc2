// Helpers every kind's `desired` uses: YAML config values as Incus strings, device maps, refs.
import type { ConfigValue, InfraDevice } from "../../core/model/infra.js";
import type { ConfigMap, DeviceMap } from "../drivers/incus/types.js";
import type { Kind, ObjectRef } from "../model.js";

const str = (v: ConfigValue): string => (typeof v === "string" ? v : String(v));

export function stringMap(
  m: Readonly<Record<string, ConfigValue>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m ?? {})) out[k] = str(v);
  return out;
}

export function deviceMap(m: Readonly<Record<string, InfraDevice>> | undefined): DeviceMap {
  const out: Record<string, ConfigMap> = {};
  for (const [k, v] of Object.entries(m ?? {})) out[k] = stringMap(v);
  return out;
}

export const ref = <K extends Kind>(kind: K, project: string, name: string) =>
  ({ kind, project, name }) as ObjectRef & { kind: K };
