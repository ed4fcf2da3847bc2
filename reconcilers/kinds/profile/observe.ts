// Profiles as plumb sees them: every config key (but volatile.*) and every device.
import type { Instance, Profile } from "../../drivers/incus/types.js";
import { pick, sortedConfig, sortedDevices } from "../../kit/diff-fields.js";
import { notOwned } from "../../kit/keepers.js";
import { digestOf, ownershipOf } from "../../kit/ownership.js";
import type { ObservedObject } from "../../model.js";
import type { ProfileSpec } from "./spec.js";

export const notVolatile = (k: string) => !k.startsWith("volatile.");

/** The running instances using a profile: a restart-needed key set through it reaches them. */
export interface ProfileUsers {
  /** `name` of each running instance using the profile. */
  readonly running: readonly string[];
  readonly anyVm: boolean;
  /** Instances using it that plumb does not own (they keep it from being deleted). */
  readonly kept: readonly string[];
}

export function profileUsers(
  profile: string,
  instances: readonly Instance[],
  owner: string,
): ProfileUsers {
  const all = instances.filter((i) => i.profiles?.includes(profile));
  const users = all.filter((i) => i.status === "Running");
  return {
    running: users.map((i) => i.name).sort(),
    anyVm: users.some((i) => i.type === "virtual-machine"),
    kept: notOwned(all, owner)
      .map((i) => i.name)
      .sort(),
  };
}

export function observeProfile(
  p: Profile,
  project: string,
  owner: string,
  users: ProfileUsers = { running: [], anyVm: false, kept: [] },
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
    facts: {
      running: users.running.join(","),
      vm: String(users.anyVm),
      kept: users.kept.join(","),
    },
  };
}
