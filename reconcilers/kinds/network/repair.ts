// Repair of a bridge Incus did not finish creating (`Pending`/`Errored`): Incus 6.0 cannot finish
// it (a second POST answers 409 "already exists") and refuses to delete it while a profile or an
// instance names it ("The network is currently in use"). So the NICs on it are detached from
// plumb's own profiles and instances, the bridge is deleted and created again, and the NICs are
// put back. Killed half-way, the next plan sees the missing NICs as ordinary profile/instance
// updates (and the bridge, if still unfinished, as this repair again): it converges.
import { PlumbError } from "../../../core/errors.js";
import { updateWithFreshEtag } from "../../drivers/incus/retry-on-stale.js";
import type { ConfigMap, DeviceMap, IncusDriver } from "../../drivers/incus/types.js";
import { assertOwned, done } from "../../kit/apply-guards.js";
import type { ChangeOf } from "../../kit/apply-switch.js";
import { pick } from "../../kit/diff-fields.js";
import { ownershipOf } from "../../kit/ownership.js";
import type { Kind } from "../../model.js";
import type { ApplyOutcome } from "../../reconciler.js";
import { isNetworkKey } from "./observe.js";

export interface BridgeUser {
  readonly kind: "profile" | "instance";
  readonly project: string;
  readonly name: string;
}

/** The profiles and instances a bridge's `used_by` names (other users are not NIC holders). */
export function bridgeUsers(usedBy: readonly string[] | null | undefined): BridgeUser[] {
  const out: BridgeUser[] = [];
  for (const u of usedBy ?? []) {
    const url = new URL(u, "http://incus");
    const project = url.searchParams.get("project") ?? "default";
    const [, , kind, name] = url.pathname.split("/").map(decodeURIComponent);
    if ((kind === "profiles" || kind === "instances") && name)
      out.push({ kind: kind === "profiles" ? "profile" : "instance", project, name });
  }
  return out;
}

export const userLabel = (u: BridgeUser) => `${u.kind} ${u.project}/${u.name}`;

/** The devices of `devices` that are NICs on `bridge` (by `network` or `parent`). */
export function nicsOn(devices: DeviceMap, bridge: string): string[] {
  return Object.entries(devices)
    .filter(([, d]) => d.type === "nic" && (d.network === bridge || d.parent === bridge))
    .map(([n]) => n);
}

function without(devices: DeviceMap, names: readonly string[]): DeviceMap {
  const out: Record<string, ConfigMap> = {};
  for (const [n, d] of Object.entries(devices)) if (!names.includes(n)) out[n] = d;
  return out;
}

interface Detached {
  readonly user: BridgeUser;
  readonly devices: DeviceMap;
}

/**
 * Writes `edit(devices)` into the user's local devices (GET → PUT with If-Match), after checking
 * plumb owns it. Returns the NICs on `bridge` it had before the edit.
 */
async function editDevices(
  d: IncusDriver,
  user: BridgeUser,
  owner: string,
  bridge: string,
  edit: (devices: DeviceMap, nics: DeviceMap) => DeviceMap,
): Promise<DeviceMap> {
  const ref = { kind: user.kind as Kind, project: user.project, name: user.name };
  let nics: DeviceMap = {};
  const notOurs = (config: ConfigMap) => {
    if (ownershipOf(config, ref, owner) !== "owned") throw cannotRepair(bridge, [userLabel(user)]);
  };
  if (user.kind === "profile") {
    await updateWithFreshEtag(
      () => d.getProfile(user.project, user.name),
      async (cur, etag) => {
        notOurs(cur.config);
        nics = only(cur.devices, nicsOn(cur.devices, bridge));
        await d.updateProfile(
          user.project,
          user.name,
          { description: cur.description, config: cur.config, devices: edit(cur.devices, nics) },
          etag,
        );
        return true;
      },
    );
  } else {
    await updateWithFreshEtag(
      () => d.getInstance(user.project, user.name),
      async (cur, etag) => {
        notOurs(cur.config);
        nics = only(cur.devices, nicsOn(cur.devices, bridge));
        await d.updateInstance(
          user.project,
          user.name,
          {
            architecture: cur.architecture,
            config: cur.config,
            devices: edit(cur.devices, nics),
            profiles: cur.profiles,
            description: cur.description,
            ephemeral: cur.ephemeral,
            stateful: cur.stateful,
          },
          etag,
        );
        return true;
      },
    );
  }
  return nics;
}

/** The named devices of `devices`. */
function only(devices: DeviceMap, names: readonly string[]): DeviceMap {
  const out: Record<string, ConfigMap> = {};
  for (const n of names) out[n] = devices[n] ?? {};
  return out;
}

export function cannotRepair(bridge: string, users: readonly string[]): PlumbError {
  return new PlumbError(
    "PLB741",
    `bridge ${bridge} is unfinished (Incus left it Pending/Errored) and cannot be recreated: ${users.join(", ")} use it and plumb does not own them`,
    {
      hint: `Remove the NICs on ${bridge} from ${users.join(", ")} (or delete them), then run plumb apply again; plumb repairs the bridge and leaves objects it does not own untouched.`,
    },
  );
}

/**
 * Deletes and recreates the unfinished bridge, only if it is ours and still not `Created` when
 * re-read (a repair planned twice runs once), with the NICs of plumb's own profiles and
 * instances detached meanwhile and put back after.
 */
export async function repairBridge(
  change: ChangeOf<"network", "update" | "update-restart">,
  d: IncusDriver,
  owner: string,
): Promise<ApplyOutcome> {
  const name = change.ref.name;
  const { value } = await d.getNetwork("default", name);
  assertOwned(value.config, change, owner);
  if ((value.status ?? "Created") === "Created") return done("already repaired");
  const users = bridgeUsers(value.used_by);
  // Checked before anything is written: a repair refused half-way would leave NICs detached.
  const foreign: string[] = [];
  for (const u of users) {
    const got =
      u.kind === "profile"
        ? await d.getProfile(u.project, u.name)
        : await d.getInstance(u.project, u.name);
    const ref = { kind: u.kind as Kind, project: u.project, name: u.name };
    if (ownershipOf(got.value.config, ref, owner) !== "owned") foreign.push(userLabel(u));
  }
  if (foreign.length > 0) throw cannotRepair(name, foreign);
  const detached: Detached[] = [];
  for (const user of users) {
    const devices = await editDevices(d, user, owner, name, (all, nics) =>
      without(all, Object.keys(nics)),
    );
    if (Object.keys(devices).length > 0) detached.push({ user, devices });
  }
  await d.deleteNetwork("default", name);
  await d.createNetwork("default", {
    name,
    type: "bridge",
    description: change.desired.description,
    config: { ...pick(value.config, (k) => !isNetworkKey(k)), ...change.desired.config },
  });
  for (const { user, devices } of detached) {
    // Put back only the NICs still absent (someone may have re-added one meanwhile).
    await editDevices(d, user, owner, name, (all) => ({ ...devices, ...all }));
  }
  const moved = detached.map((x) => userLabel(x.user));
  return done(
    `recreated (was ${value.status})${moved.length > 0 ? `; NICs of ${moved.join(", ")} detached and put back` : ""}`,
  );
}
