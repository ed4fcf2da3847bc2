// One instance per machine of an enabled domain: its config (anklume's derived keys, the
// declared config, the declared image, labels), its devices (eth0 with the machine's address),
// and the image after the site's image map. Pure.
import type { EstateDomain, EstateMachine } from "../../../core/model/estate.js";
import type { DesiredInput, DesiredOptions, ImageResolution } from "../../desired.js";
import type { ConfigMap } from "../../drivers/incus/types.js";
import { deviceMap, ref, stringMap } from "../../kit/desired-kit.js";
import { IMAGE_KEY, ownerLabels, sealSpec } from "../../kit/ownership.js";
import { type DesiredObject, refId } from "../../model.js";
import { volumeDevices, volumeIds } from "../storage-volume/desired.js";
import type { InstanceSpec } from "./spec.js";

export const NO_VM_REASON =
  "this host cannot run virtual machines (the Incus driver has no qemu: no KVM or vhost-vsock)";

/** Why this host cannot create the machine (a VM without qemu), if it cannot. */
export function unsupportedReason(m: EstateMachine, o: DesiredOptions): string | undefined {
  return m.type === "vm" && !o.vmSupported ? NO_VM_REASON : undefined;
}

export function desiredInstances(input: DesiredInput): DesiredObject<"instance">[] {
  const out: DesiredObject<"instance">[] = [];
  for (const d of input.domains)
    for (const m of input.machinesOf(d.name))
      out.push(machineInstance(d, m, input.options, input.imageProblems));
  return out;
}

function machineInstance(
  d: EstateDomain,
  m: EstateMachine,
  o: DesiredOptions,
  imageProblems: Map<string, string>,
): DesiredObject<"instance"> {
  const iRef = ref("instance", d.project, m.name);
  const decl = m.declared;
  const derived: Record<string, string> = {};
  if (decl.boot_autostart !== undefined) derived["boot.autostart"] = String(decl.boot_autostart);
  if (decl.boot_priority !== undefined)
    derived["boot.autostart.priority"] = String(decl.boot_priority);
  if (decl.snapshots_schedule !== undefined)
    derived["snapshots.schedule"] = decl.snapshots_schedule;
  if (decl.snapshots_expiry !== undefined) derived["snapshots.expiry"] = decl.snapshots_expiry;
  // anklume: non-ephemeral machines are protected against deletion.
  if (!m.ephemeral) derived["security.protection.delete"] = "true";
  const image = m.osImage ?? "";
  const devices: Record<string, ConfigMap> = {};
  if (o.bridgeAddresses === "declared" && m.ip !== undefined) {
    // The eth0 of the default profile, overridden with the machine's address (anklume).
    devices.eth0 = { "ipv4.address": m.ip, name: "eth0", network: d.network, type: "nic" };
  }
  // The machine's storage volumes (storage-volume kind), then its declared devices.
  Object.assign(devices, volumeDevices(m, o.storagePool), deviceMap(m.devices));
  const spec: InstanceSpec = sealSpec({
    description: m.description,
    type: m.type === "vm" ? "virtual-machine" : "container",
    profiles: [...m.profiles],
    config: {
      ...derived,
      ...stringMap(m.config),
      ...(image ? { [IMAGE_KEY]: image } : {}),
      ...ownerLabels(iRef, o.owner),
    },
    devices,
  });
  const resolved: ImageResolution = image
    ? o.resolveImage(image)
    : {
        ok: false,
        reason: `machine ${m.name} has no os_image and there is no global.default_os_image`,
      };
  if (!resolved.ok) imageProblems.set(m.name, resolved.reason);
  const unsupported = unsupportedReason(m, o);
  const deps = [
    refId(ref("project", d.project, d.project)),
    refId(ref("network", "default", d.network)),
    ...m.profiles.map((p) => refId(ref("profile", d.project, p))),
    ...volumeIds(m, d.project, o.storagePool),
  ];
  return {
    ref: iRef,
    spec,
    create: {
      image,
      source: resolved.ok ? resolved.source : { type: "none" },
      start: decl.state !== "stopped",
      ...(decl.target ? { target: decl.target } : {}),
    },
    deps,
    ...(unsupported ? { unsupported, notes: [`not created: ${unsupported}`] } : {}),
  };
}
