// Instances as plumb sees them: only the local config and devices, never `expanded_*`;
// `volatile.*` and `image.*` belong to the server (Incus copies them back on every PUT).
import type { Instance } from "../../drivers/incus/types.js";
import { pick, sortedConfig, sortedDevices } from "../../kit/diff-fields.js";
import { digestOf, IMAGE_KEY, ownershipOf } from "../../kit/ownership.js";
import type { ObservedObject } from "../../model.js";
import type { InstanceSpec } from "./spec.js";

/**
 * Keys the server writes and owns — and `user.plumb.contract.*`, the hash of the contract an
 * instance last ran, written by contract delivery (reconcilers/plan/contracts.ts): never
 * compared, always preserved.
 */
export const isServerKey = (k: string) =>
  k.startsWith("volatile.") || k.startsWith("image.") || k.startsWith("user.plumb.contract.");

export function observeInstance(i: Instance, owner: string): ObservedObject<"instance"> {
  const ref = { kind: "instance" as const, project: i.project, name: i.name };
  const config = i.config ?? {};
  const spec: InstanceSpec = {
    description: i.description ?? "",
    type: i.type,
    profiles: [...(i.profiles ?? [])],
    config: sortedConfig(pick(config, (k) => !isServerKey(k))),
    devices: sortedDevices(i.devices ?? {}),
  };
  return {
    ref,
    spec,
    ownership: ownershipOf(config, ref, owner),
    hash: digestOf({ spec, status: i.status }),
    facts: { status: i.status, image: config[IMAGE_KEY] ?? "" },
  };
}
