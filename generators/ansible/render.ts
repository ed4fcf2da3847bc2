// Estate → the Ansible tree anklume's generator writes: group_vars/all.yml, and per enabled
// domain inventory/<d>.yml, group_vars/<d>.yml, host_vars/<m>.yml. Same paths, keys and key
// order (docs/generator.md, keys per file); keys whose value is absent are dropped, while
// false and {} are kept. Pure: returns each file's managed-section YAML body, sorted by path.
import type { Estate, EstateDomain, EstateMachine } from "../../core/model/estate.js";
import { assertSafeName } from "../../core/model/safe-path.js";
import { redactConfig } from "../../core/redact/redact.js";
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
      // Names become file names: validation guarantees the form; this second wall keeps a bug
      // elsewhere from ever turning into a path outside the output directory.
      assertSafeName(d.name, "domain");
      for (const m of ms) assertSafeName(m.name, "machine");
      files.set(`inventory/${d.name}.yml`, emitYaml(inventory(d, ms)));
      files.set(`group_vars/${d.name}.yml`, emitYaml(groupVars(d)));
      for (const m of ms) files.set(`host_vars/${m.name}.yml`, emitYaml(hostVars(m)));
    }
  }
  const sorted = new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { files: sorted, domains, machines };
}

function allVars(e: Estate): Vars {
  const v: Vars = { project_name: e.projectName };
  put(v, "addressing", e.addressing.declared as YamlValue);
  put(v, "base_subnet", e.addressing.baseSubnet);
  put(v, "default_os_image", e.defaults.osImage);
  // Never ansible_connection / ansible_user: those would override `connection: local` in
  // anklume's playbooks (its ADR-015).
  put(v, "psot_default_connection", e.defaults.connection);
  put(v, "psot_default_user", e.defaults.user);
  if (e.images.length > 0) v.incus_all_images = e.images;
  if (e.policies.length > 0) v.network_policies = e.policies as unknown as YamlValue;
  return v;
}

function inventory(d: EstateDomain, machines: readonly EstateMachine[]): Vars {
  const hosts: Vars = {};
  for (const m of machines) {
    // A plain server (type: server) is reached at its own address over SSH.
    if (m.server)
      hosts[m.name] = {
        ansible_host: m.server.address,
        ansible_user: m.server.user,
        ansible_port: m.server.port,
      };
    else hosts[m.name] = m.ip ? { ansible_host: m.ip } : null;
  }
  return { all: { children: { [d.name]: { hosts: machines.length > 0 ? hosts : null } } } };
}

function groupVars(d: EstateDomain): Vars {
  const v: Vars = {
    domain_name: d.name,
    domain_description: d.description,
    domain_ephemeral: d.ephemeral,
  };
  put(v, "domain_trust_level", d.trustLevel);
  v.domain_ai_provider = d.aiProvider;
  v.domain_ai_sanitize = d.aiSanitize;
  v.incus_project = d.project;
  v.incus_network = { name: d.network, subnet: d.subnet, gateway: d.gateway };
  v.subnet_id = d.subnetId;
  for (const _ in d.profiles) {
    v.incus_profiles = redactProfiles(d.profiles) as YamlValue;
    break;
  }
  return v;
}

function hostVars(m: EstateMachine): Vars {
  const raw = m.declared;
  const v: Vars = {
    instance_name: m.name,
    instance_type: m.type,
    instance_description: m.description,
    instance_domain: m.domain,
    instance_ephemeral: m.ephemeral,
  };
  put(v, "instance_os_image", m.osImage);
  put(v, "instance_ip", m.ip);
  // Passed through as declared (anklume keeps false and {} but drops absent keys).
  put(v, "instance_gpu", raw.gpu);
  put(v, "instance_profiles", raw.profiles);
  // A secret (environment.*PASSWORD|TOKEN|SECRET|KEY) is never written into a committed file:
  // its digest stands in (docs/security.md#secrets).
  put(v, "instance_config", raw.config ? redactConfig(raw.config) : raw.config);
  put(v, "instance_devices", Object.keys(m.devices).length > 0 ? m.devices : raw.devices);
  put(v, "instance_storage_volumes", raw.storage_volumes as YamlValue);
  put(v, "instance_roles", raw.roles);
  put(v, "instance_boot_autostart", raw.boot_autostart);
  put(v, "instance_boot_priority", raw.boot_priority);
  put(v, "instance_snapshots_schedule", raw.snapshots_schedule);
  put(v, "instance_snapshots_expiry", raw.snapshots_expiry);
  return v;
}

function redactProfiles(profiles: EstateDomain["profiles"]): EstateDomain["profiles"] {
  return Object.fromEntries(
    Object.entries(profiles).map(([name, p]) => [
      name,
      p?.config ? { ...p, config: redactConfig(p.config) } : p,
    ]),
  );
}

/** anklume drops keys whose value is None; false, 0, "" and {} are kept. */
function put(vars: Vars, key: string, value: YamlValue): void {
  if (value !== undefined && value !== null) vars[key] = value;
}
