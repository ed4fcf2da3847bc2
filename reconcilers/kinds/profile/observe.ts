// Profiles as plumb sees them: every config key (but volatile.*) and every device.
import type { Profile } from "../../drivers/incus/types.js";
import { pick, sortedConfig, sortedDevices } from "../../kit/diff-fields.js";
import { digestOf, ownershipOf } from "../../kit/ownership.js";
import type { ObservedObject } from "../../model.js";
import type { ProfileSpec } from "./spec.js";

export const notVolatile = (k: string) => !k.startsWith("volatile.");

export function observeProfile(
  p: Profile,
  project: string,
  owner: string,
): ObservedObject<"profile"> {
  const ref = { kind: "profile" as const, project, name: p.name };
  const spec: ProfileSpec = {
    description: p.description ?? "",
    config: sortedConfig(pick(p.config ?? {}, notVolatile)),
    devices: sortedDevices(p.devices ?? {}),
  };
  return {
    ref,
    spec,
    ownership: ownershipOf(p.config ?? {}, ref, owner),
    hash: digestOf(spec),
    facts: {},
  };
}
