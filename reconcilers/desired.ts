// Seed 004 §7 step 3: the desired Incus objects, built from the resolved Estate (the same model
// the Ansible generator renders). Per enabled domain: a project with its own profiles, a bridge
// `net-<domain>` in the default project, the project's `default` profile (root disk + eth0),
// the domain's extra profiles, one instance per machine and its running state. Pure.
import type { Estate, EstateDomain, EstateMachine } from "../core/model/estate.js";
import type { ConfigValue, InfraDevice } from "../core/model/infra.js";
import type { ConfigMap, DeviceMap, InstanceSource } from "./drivers/incus/types.js";
import type { DesiredObject, InstanceSpec, Kind, ObjectRef, StateSpec } from "./model.js";
import { refId } from "./model.js";
import { IMAGE_KEY, ownerLabels, sealSpec } from "./ownership.js";

/** How bridges get addresses: the declared subnets, or none at all (tests, address-less sites). */
export type BridgeAddresses = "declared" | "none";

/** Features of every project plumb creates. Images are shared with `default` (one download). */
export const PROJECT_FEATURES: ConfigMap = {
  "features.images": "false",
  "features.networks": "false",
  "features.profiles": "true",
  "features.storage.volumes": "true",
};

export const NO_VM_REASON =
  "this host cannot run virtual machines (the Incus driver has no qemu: no KVM or vhost-vsock)";

/** The image a machine is created from, after the site's image map; or why it cannot be. */
export type ImageResolution =
  | { readonly ok: true; readonly source: InstanceSource }
  | { readonly ok: false; readonly reason: string };

export interface DesiredOptions {
  readonly owner: string;
  readonly bridgeAddresses: BridgeAddresses;
  readonly storagePool: string;
  /** Domains to plan (`--limit`); undefined = all. */
  readonly limit?: readonly string[] | undefined;
  readonly vmSupported: boolean;
  resolveImage(declared: string): ImageResolution;
}

export interface DesiredState {
  readonly objects: readonly DesiredObject[];
  /** Images that could not be resolved, by machine (an error only if one must be created). */
  readonly imageProblems: ReadonlyMap<string, string>;
  /** Projects and networks of domains in scope (declared or not enabled). */
  readonly scope: {
    readonly projects: ReadonlySet<string>;
    readonly networks: ReadonlySet<string>;
  };
  /** Projects and networks of disabled domains: never changed, never orphans. */
  readonly disabled: {
    readonly projects: ReadonlySet<string>;
    readonly networks: ReadonlySet<string>;
  };
}

const str = (v: ConfigValue): string => (typeof v === "string" ? v : String(v));

function stringMap(m: Readonly<Record<string, ConfigValue>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m ?? {})) out[k] = str(v);
  return out;
}

function deviceMap(m: Readonly<Record<string, InfraDevice>> | undefined): DeviceMap {
  const out: Record<string, ConfigMap> = {};
  for (const [k, v] of Object.entries(m ?? {})) out[k] = stringMap(v);
  return out;
}

const ref = <K extends Kind>(kind: K, project: string, name: string) =>
  ({ kind, project, name }) as ObjectRef & { kind: K };

export function bridgeConfig(d: EstateDomain, mode: BridgeAddresses): ConfigMap {
  if (mode === "none") return { "ipv4.address": "none", "ipv6.address": "none" };
  // anklume's bridge: the domain's gateway, NAT out, DHCP for .100–.249, no IPv6.
  return {
    "ipv4.address": `${d.gateway}/24`,
    "ipv4.nat": "true",
    "ipv4.dhcp.ranges": `${d.prefix}.100-${d.prefix}.249`,
    "ipv6.address": "none",
  };
}

export function buildDesired(estate: Estate, o: DesiredOptions): DesiredState {
  const objects: DesiredObject[] = [];
  const imageProblems = new Map<string, string>();
  const scope = { projects: new Set<string>(), networks: new Set<string>() };
  const disabled = { projects: new Set<string>(), networks: new Set<string>() };
  const machines = new Map<string, EstateMachine[]>();
  for (const m of estate.machines) machines.set(m.domain, [...(machines.get(m.domain) ?? []), m]);

  for (const d of estate.domains) {
    if (o.limit && !o.limit.includes(d.name)) continue;
    scope.projects.add(d.project);
    scope.networks.add(d.network);
    if (!d.enabled) {
      disabled.projects.add(d.project);
      disabled.networks.add(d.network);
      continue;
    }
    const pRef = ref("project", d.project, d.project);
    const nRef = ref("network", "default", d.network);
    objects.push({
      ref: pRef,
      spec: sealSpec({
        description: d.description,
        features: PROJECT_FEATURES,
        config: ownerLabels(pRef, o.owner),
      }),
      deps: [],
    });
    objects.push({
      ref: nRef,
      spec: sealSpec({
        description: d.description,
        config: { ...bridgeConfig(d, o.bridgeAddresses), ...ownerLabels(nRef, o.owner) },
      }),
      deps: [],
      ...(o.bridgeAddresses === "none"
        ? {
            notes: ["address-less bridge (bridge_addresses: none): machine IPs are not configured"],
          }
        : {}),
    });
    const defRef = ref("profile", d.project, "default");
    // `profiles.default` of a domain adds to (or overrides) what plumb puts in the default profile.
    const extra = d.profiles.default ?? undefined;
    objects.push({
      ref: defRef,
      spec: sealSpec({
        description: extra?.description ?? "",
        config: { ...stringMap(extra?.config), ...ownerLabels(defRef, o.owner) },
        devices: {
          eth0: { name: "eth0", network: d.network, type: "nic" },
          root: { path: "/", pool: o.storagePool, type: "disk" },
          ...deviceMap(extra?.devices),
        },
      }),
      deps: [refId(pRef), refId(nRef)],
    });
    for (const [name, p] of Object.entries(d.profiles)) {
      if (name === "default") continue;
      const r = ref("profile", d.project, name);
      objects.push({
        ref: r,
        spec: sealSpec({
          description: p?.description ?? "",
          config: { ...stringMap(p?.config), ...ownerLabels(r, o.owner) },
          devices: deviceMap(p?.devices),
        }),
        deps: [refId(pRef)],
      });
    }
    for (const m of machines.get(d.name) ?? [])
      objects.push(...machineObjects(d, m, o, imageProblems));
  }
  return { objects, imageProblems, scope, disabled };
}

function machineObjects(
  d: EstateDomain,
  m: EstateMachine,
  o: DesiredOptions,
  imageProblems: Map<string, string>,
): DesiredObject[] {
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
  Object.assign(devices, deviceMap(m.devices));
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
  const status: StateSpec["status"] = decl.state === "stopped" ? "Stopped" : "Running";
  const unsupported = m.type === "vm" && !o.vmSupported ? NO_VM_REASON : undefined;
  const deps = [
    refId(ref("project", d.project, d.project)),
    refId(ref("network", "default", d.network)),
    ...m.profiles.map((p) => refId(ref("profile", d.project, p))),
  ];
  const instance: DesiredObject<"instance"> = {
    ref: iRef,
    spec,
    create: {
      image,
      source: resolved.ok ? resolved.source : { type: "none" },
      start: status === "Running",
    },
    deps,
    ...(unsupported ? { unsupported, notes: [`not created: ${unsupported}`] } : {}),
  };
  const state: DesiredObject<"instance-state"> = {
    ref: ref("instance-state", d.project, m.name),
    spec: { status },
    deps: [refId(iRef)],
    ...(unsupported ? { unsupported } : {}),
  };
  return [instance, state];
}
