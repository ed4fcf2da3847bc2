// The resolved estate: the validated infra document with every default applied, addressing
// computed and anklume's enrichment done (firewall VM, exclusive-AI policy, shared-volume and
// persistent-data devices). Generators and reconcilers read this, never the raw document.
//
// Pure. Expects a document that passed validation; it throws an internal error otherwise.
// Not applied (host-dependent in anklume): the nesting prefix and resource_policy allocation.

import { PlumbError } from "../errors.js";
import {
  type AddressingMode,
  type AddressLock,
  computeAddressing,
  type DomainAddress,
} from "./addressing.js";
import type {
  InfraAddressing,
  InfraDevice,
  InfraDocument,
  InfraDomain,
  InfraMachine,
  InfraPolicy,
  InfraProfile,
  TrustLevel,
} from "./infra.js";
import { joinUnder } from "./safe-path.js";

export const FIREWALL_DOMAIN = "anklume";
export const FIREWALL_MACHINE = "anklume-firewall";
/** Names under which a declared firewall VM suppresses the automatic one. */
export const FIREWALL_NAMES: readonly string[] = [FIREWALL_MACHINE, "sys-firewall"];
export const FIREWALL_HOST = 253;
export const AI_TOOLS_DOMAIN = "ai-tools";
export const DEFAULT_SHARED_VOLUMES_BASE = "/srv/anklume/shares";
export const DEFAULT_PERSISTENT_DATA_BASE = "/srv/anklume/data";

export type AiProvider = "local" | "cloud" | "local-first";
export type DeviceMap = Readonly<Record<string, InfraDevice>>;

export interface Estate {
  readonly projectName: string;
  readonly addressing: {
    readonly mode: AddressingMode;
    /** Zone mode: the user's `global.addressing` mapping as written (no defaults filled in). */
    readonly declared: InfraAddressing | undefined;
    /** Legacy mode: `global.base_subnet` or its default. */
    readonly baseSubnet: string | undefined;
  };
  readonly defaults: {
    readonly osImage: string | undefined;
    readonly connection: string | undefined;
    readonly user: string | undefined;
  };
  readonly firewallMode: "host" | "vm";
  /** Declaration order (directory mode: base.yml, then domains/*.yml by file name). */
  readonly domains: readonly EstateDomain[];
  /** Domain by domain, each in declaration order; the automatic firewall VM last in its domain. */
  readonly machines: readonly EstateMachine[];
  /** The declared policies as written, then the automatic exclusive-AI policy if any. */
  readonly policies: readonly InfraPolicy[];
  /** Sorted unique OS images of every machine (disabled domains included). */
  readonly images: readonly string[];
  /** `global.ansible_dir`: where the Ansible tree goes, relative to the repository root. */
  readonly ansibleDir?: string;
}

export interface EstateDomain {
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly ephemeral: boolean;
  /** Defaulted to semi-trusted in zone mode; as declared (maybe absent) in legacy mode. */
  readonly trustLevel: TrustLevel | undefined;
  readonly aiProvider: AiProvider;
  readonly aiSanitize: boolean | "always";
  /** The Incus project and bridge names. */
  readonly project: string;
  readonly network: string;
  /** Third octet: the explicit subnet_id or the computed zone sequence. */
  readonly subnetId: number;
  readonly subnet: string;
  readonly gateway: string;
  /** "10.120.3": the first three octets of the subnet. */
  readonly prefix: string;
  readonly profiles: Readonly<Record<string, InfraProfile | null>>;
  /** Machine names, in the order of `machines`. */
  readonly machines: readonly string[];
}

/** A `type: server` machine's SSH endpoint, defaults applied (user root, port 22). */
export interface EstateServer {
  readonly address: string;
  readonly user: string;
  readonly port: number;
  readonly jump: string | undefined;
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  readonly hostKey: string;
}

/** A contract a machine receives, as declared (inputs may hold `{secret: NAME}` references). */
export interface EstateContract {
  /** Unique per machine (default: the template slug). */
  readonly name: string;
  /** The template slug (folder under templates/). */
  readonly template: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly revision: number;
}

export interface EstateMachine {
  readonly name: string;
  readonly domain: string;
  readonly description: string;
  /** lxc | vm: an Incus instance; server: reached over SSH, no Incus object (see `server`). */
  readonly type: "lxc" | "vm" | "server";
  /** Set exactly when `type` is server. */
  readonly server?: EstateServer;
  /** Declared contracts, in order (every type). */
  readonly contracts: readonly EstateContract[];
  /** The machine's own value, else its domain's. */
  readonly ephemeral: boolean;
  /** The machine's own image, else `global.default_os_image`. */
  readonly osImage: string | undefined;
  /** Explicit or automatic (zone mode); undefined in legacy mode without `ip`. */
  readonly ip: string | undefined;
  readonly ipAuto: boolean;
  readonly gpu: boolean;
  readonly profiles: readonly string[];
  readonly roles: readonly string[];
  readonly config: Readonly<Record<string, string | number | boolean>>;
  /** Generated devices first (`sv-*` per shared volume, then `pd-*`), then the user's. */
  readonly devices: DeviceMap;
  readonly origin: "declared" | "firewall-vm";
  /** The machine as written (or as enrichment created it): tells "declared" from "defaulted". */
  readonly declared: InfraMachine;
}

/** `lock`: the recorded address allocations (addresses.lock.yml), kept where still valid. */
export function buildEstate(doc: InfraDocument, lock?: AddressLock): Estate {
  const global = doc.global ?? {};
  const plan = computeAddressing(doc, lock);
  const declaredDomains = Object.entries(doc.domains ?? {}) as [string, InfraDomain][];
  const firewall = firewallVm(doc, declaredDomains, plan.domains.get(FIREWALL_DOMAIN));
  const ips = new Map(plan.machines.map((m) => [m.machine, m]));
  const svDevices = sharedVolumeDevices(doc, declaredDomains);
  const pdBase = global.persistent_data_base ?? DEFAULT_PERSISTENT_DATA_BASE;

  const domains: EstateDomain[] = [];
  const machines: EstateMachine[] = [];
  for (const [name, d] of declaredDomains) {
    const address = plan.domains.get(name);
    if (address === undefined) {
      throw new PlumbError("PLB999", `domain '${name}' has no address`, {
        source: "internal",
        hint: "buildEstate expects a validated document",
      });
    }
    const entries = Object.entries(d.machines ?? {}) as [string, InfraMachine][];
    if (firewall && name === FIREWALL_DOMAIN) entries.push([FIREWALL_MACHINE, firewall]);
    const ephemeral = d.ephemeral ?? false;
    const aiProvider = d.ai_provider ?? "local";
    domains.push({
      name,
      description: d.description ?? "",
      enabled: d.enabled !== false,
      ephemeral,
      trustLevel: address.trustLevel,
      aiProvider,
      aiSanitize: d.ai_sanitize ?? (aiProvider === "cloud" || aiProvider === "local-first"),
      project: name,
      network: `net-${name}`,
      subnetId: address.seq,
      subnet: address.subnet,
      gateway: address.gateway,
      prefix: address.prefix,
      profiles: d.profiles ?? {},
      machines: entries.map(([m]) => m),
    });
    for (const [mname, m] of entries) {
      const fromFirewall = m === firewall;
      const ip = fromFirewall ? m.ip : ips.get(mname)?.ip;
      const devices: Record<string, InfraDevice> = { ...svDevices.get(mname) };
      for (const [pd, v] of Object.entries(m.persistent_data ?? {})) {
        if (!v?.path) continue;
        devices[`pd-${pd}`] = {
          type: "disk",
          source: joinUnder(pdBase, name, mname, pd),
          path: v.path,
          shift: "true",
          ...(v.readonly ? { readonly: "true" } : {}),
        };
      }
      Object.assign(devices, m.devices ?? {});
      machines.push({
        name: mname,
        domain: name,
        description: m.description ?? "",
        type: m.type ?? "lxc",
        ephemeral: m.ephemeral ?? ephemeral,
        osImage: m.os_image ?? global.default_os_image,
        ip,
        ipAuto: !fromFirewall && (ips.get(mname)?.auto ?? false),
        gpu: m.gpu === true,
        profiles: m.profiles ?? ["default"],
        roles: m.roles ?? [],
        config: m.config ?? {},
        devices,
        origin: fromFirewall ? "firewall-vm" : "declared",
        declared: m,
        ...(m.type === "server" ? { server: serverOf(m) } : {}),
        contracts: (m.contracts ?? []).map((c) => ({
          name: c.name ?? c.template,
          template: c.template,
          inputs: c.inputs ?? {},
          revision: c.revision ?? 0,
        })),
      });
    }
  }

  const images = [...new Set(machines.map((m) => m.osImage).filter((i): i is string => !!i))];
  return {
    projectName: doc.project_name,
    addressing: {
      mode: plan.mode,
      declared: plan.mode === "zone" ? global.addressing : undefined,
      baseSubnet: plan.mode === "legacy" ? (global.base_subnet ?? "10.100") : undefined,
    },
    defaults: {
      osImage: global.default_os_image,
      connection: global.default_connection,
      user: global.default_user,
    },
    firewallMode: global.firewall_mode ?? "host",
    ansibleDir: global.ansible_dir ?? ".",
    domains,
    machines,
    policies: [...(doc.network_policies ?? []), ...aiAccessPolicy(doc, declaredDomains)],
    images: images.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

function serverOf(m: InfraMachine): EstateServer {
  return {
    address: m.address ?? "",
    user: m.ssh?.user ?? "root",
    port: m.ssh?.port ?? 22,
    jump: m.ssh?.jump,
    hostKey: m.ssh?.host_key ?? "",
  };
}

/** Machines that are Incus instances (every type but `server`). */
export const isInstanceMachine = (m: EstateMachine): boolean => m.type !== "server";

/** anklume's automatic firewall VM: `firewall_mode: vm` and none declared under either name. */
function firewallVm(
  doc: InfraDocument,
  domains: readonly [string, InfraDomain][],
  address: DomainAddress | undefined,
): InfraMachine | undefined {
  if (doc.global?.firewall_mode !== "vm" || address === undefined) return undefined;
  const declared = domains.some(([, d]) => FIREWALL_NAMES.some((n) => n in (d.machines ?? {})));
  if (declared) return undefined;
  return {
    description: "Centralized firewall VM (auto-created by generator)",
    type: "vm",
    ip: `${address.prefix}.${FIREWALL_HOST}`,
    config: { "limits.cpu": "2", "limits.memory": "2GiB" },
    roles: ["base_system", "firewall_router"],
    ephemeral: false,
  };
}

/** Exclusive AI access with no policy to ai-tools: anklume adds one from the default domain. */
function aiAccessPolicy(doc: InfraDocument, domains: readonly [string, InfraDomain][]) {
  const g = doc.global ?? {};
  const from = g.ai_access_default;
  if (g.ai_access_policy !== "exclusive" || !from) return [];
  if (!domains.some(([n]) => n === AI_TOOLS_DOMAIN)) return [];
  if ((doc.network_policies ?? []).some((p) => p?.to === AI_TOOLS_DOMAIN)) return [];
  const policy: InfraPolicy = {
    description: `AI access: ${from} -> ${AI_TOOLS_DOMAIN} (auto-created)`,
    from,
    to: AI_TOOLS_DOMAIN,
    ports: "all",
    bidirectional: true,
  };
  return [policy];
}

/** `sv-<volume>` disk devices per machine; a machine consumer overrides its domain's access. */
function sharedVolumeDevices(
  doc: InfraDocument,
  domains: readonly [string, InfraDomain][],
): Map<string, Record<string, InfraDevice>> {
  const out = new Map<string, Record<string, InfraDevice>>();
  const base = doc.global?.shared_volumes_base ?? DEFAULT_SHARED_VOLUMES_BASE;
  const machinesOf = new Map(domains.map(([n, d]) => [n, Object.keys(d.machines ?? {})]));
  for (const [vol, v] of Object.entries(doc.shared_volumes ?? {})) {
    if (!v) continue;
    const access = new Map<string, "ro" | "rw">();
    const consumers = Object.entries(v.consumers ?? {});
    for (const [c, mode] of consumers) for (const m of machinesOf.get(c) ?? []) access.set(m, mode);
    for (const [c, mode] of consumers) if (!machinesOf.has(c)) access.set(c, mode);
    for (const [m, mode] of access) {
      const devices = out.get(m) ?? {};
      devices[`sv-${vol}`] = {
        type: "disk",
        source: v.source || joinUnder(base, vol),
        path: v.path || `/shared/${vol}`,
        ...(v.shift !== false ? { shift: "true" } : {}),
        ...(mode === "ro" ? { readonly: "true" } : {}),
      };
      out.set(m, devices);
    }
  }
  return out;
}
