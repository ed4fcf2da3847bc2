// Estate → the Ansible tree anklume's generator writes: group_vars/all.yml, and per enabled
// domain inventory/<d>.yml, group_vars/<d>.yml, host_vars/<m>.yml. Same paths, keys and key
// order (../shared/reference/anklume.md §3.3); keys whose value is absent are dropped, while
// false and {} are kept. Pure: returns each file's managed-section YAML body, sorted by path.
import type { Estate, EstateDomain, EstateMachine } from "../../core/model/estate.js";
import { emitYaml, type YamlValue } from "./yaml-emit.js";

export const GENERATED_DIRS = ["inventory", "group_vars", "host_vars"] as const;
export type GeneratedDir = (typeof GENERATED_DIRS)[number];

export interface RenderedTree {
  /** Relative path (`host_vars/web-1.yml`) → YAML body of its managed section. */
  readonly files: ReadonlyMap<string, string>;
  /** Every declared name, disabled domains included: what is not an orphan. */
  readonly domains: ReadonlySet<string>;
  readonly machines: ReadonlySet<string>;
}

type Vars = Record<string, YamlValue>;

// Names become file names: validation guarantees this shape; this guard keeps a bug elsewhere
// from ever turning into a path outside the output directory.
const SAFE_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export function renderAnsibleTree(estate: Estate): RenderedTree {
  const files = new Map<string, string>();
  const domains = new Set(estate.domains.map((d) => d.name));
  const machines = new Set(estate.machines.map((m) => m.name));
  // anklume writes nothing at all, not even all.yml, for an estate without domains.
  if (estate.domains.length > 0) {
    files.set("group_vars/all.yml", emitYaml(allVars(estate)));
    const byDomain = new Map<string, EstateMachine[]>();
    for (const m of estate.machines) {
      const list = byDomain.get(m.domain);
      if (list) list.push(m);
      else byDomain.set(m.domain, [m]);
    }
    for (const d of estate.domains) {
      if (!d.enabled) continue;
      const ms = byDomain.get(d.name) ?? [];
      for (const name of [d.name, ...ms.map((m) => m.name)]) assertSafe(name);
      files.set(`inventory/${d.name}.yml`, emitYaml(inventory(d, ms)));
      files.set(`group_vars/${d.name}.yml`, emitYaml(groupVars(d)));
      for (const m of ms) files.set(`host_vars/${m.name}.yml`, emitYaml(hostVars(m)));
    }
  }
  const sorted = new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { files: sorted, domains, machines };
}

function allVars(e: Estate): Vars {
  return dropAbsent({
    project_name: e.projectName,
    addressing: e.addressing.declared as YamlValue,
    base_subnet: e.addressing.baseSubnet,
    default_os_image: e.defaults.osImage,
    // Never ansible_connection / ansible_user: those would override `connection: local` in
    // anklume's playbooks (its ADR-015).
    psot_default_connection: e.defaults.connection,
    psot_default_user: e.defaults.user,
    incus_all_images: e.images.length > 0 ? e.images : undefined,
    network_policies: e.policies.length > 0 ? (e.policies as unknown as YamlValue) : undefined,
  });
}

function inventory(d: EstateDomain, machines: readonly EstateMachine[]): Vars {
  const hosts: Vars = {};
  for (const m of machines) hosts[m.name] = m.ip ? { ansible_host: m.ip } : null;
  return { all: { children: { [d.name]: { hosts: machines.length > 0 ? hosts : null } } } };
}

function groupVars(d: EstateDomain): Vars {
  const vars = dropAbsent({
    domain_name: d.name,
    domain_description: d.description,
    domain_ephemeral: d.ephemeral,
    domain_trust_level: d.trustLevel,
    domain_ai_provider: d.aiProvider,
    domain_ai_sanitize: d.aiSanitize,
    incus_project: d.project,
    incus_network: { name: d.network, subnet: d.subnet, gateway: d.gateway },
    subnet_id: d.subnetId,
  });
  if (Object.keys(d.profiles).length > 0) vars.incus_profiles = d.profiles as YamlValue;
  return vars;
}

function hostVars(m: EstateMachine): Vars {
  const raw = m.declared;
  return dropAbsent({
    instance_name: m.name,
    instance_type: m.type,
    instance_description: m.description,
    instance_domain: m.domain,
    instance_ephemeral: m.ephemeral,
    instance_os_image: m.osImage,
    instance_ip: m.ip,
    // Passed through as declared (anklume keeps false and {} but drops absent keys).
    instance_gpu: raw.gpu,
    instance_profiles: raw.profiles,
    instance_config: raw.config,
    instance_devices: Object.keys(m.devices).length > 0 ? m.devices : raw.devices,
    instance_storage_volumes: raw.storage_volumes as YamlValue,
    instance_roles: raw.roles,
    instance_boot_autostart: raw.boot_autostart,
    instance_boot_priority: raw.boot_priority,
    instance_snapshots_schedule: raw.snapshots_schedule,
    instance_snapshots_expiry: raw.snapshots_expiry,
  });
}

function dropAbsent(vars: Vars): Vars {
  const out: Vars = {};
  for (const [k, v] of Object.entries(vars)) if (v !== undefined && v !== null) out[k] = v;
  return out;
}

function assertSafe(name: string): void {
  if (!SAFE_NAME.test(name)) throw new Error(`refusing to generate a file for '${name}'`);
}
