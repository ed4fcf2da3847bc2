// TypeScript view of the infra document as the JSON Schema (validators/infra-schema.ts) accepts
// it. `validators/infra-schema.test.ts` checks that these interfaces and the schema declare the
// same keys at every level.

export type TrustLevel = "admin" | "trusted" | "semi-trusted" | "untrusted" | "disposable";
export type ConfigValue = string | number | boolean;

export interface InfraDocument {
  project_name: string;
  global: InfraGlobal;
  domains: Record<string, InfraDomain> | null;
  network_policies?: InfraPolicy[] | null;
  shared_volumes?: Record<string, InfraSharedVolume> | null;
}

export interface InfraAddressing {
  base_octet?: 10;
  zone_base?: number;
  zone_step?: number;
}

export interface InfraResourcePolicy {
  mode?: "proportional" | "equal";
  cpu_mode?: "allowance" | "count";
  memory_enforce?: "soft" | "hard";
  overcommit?: boolean;
  host_reserve?: { cpu?: number | string; memory?: number | string };
}

export interface InfraGlobal {
  addressing?: InfraAddressing;
  base_subnet?: string;
  default_os_image?: string;
  default_connection?: string;
  default_user?: string;
  gpu_policy?: "exclusive" | "shared";
  firewall_mode?: "host" | "vm";
  nesting_prefix?: boolean;
  ai_access_policy?: "exclusive" | "open";
  ai_access_default?: string;
  ai_vram_flush?: boolean;
  resource_policy?: true | InfraResourcePolicy;
  shared_volumes_base?: string;
  persistent_data_base?: string;
  auto_cleanup?: boolean;
  ansible_dir?: string;
}

export interface InfraProfile {
  description?: string;
  config?: Record<string, ConfigValue>;
  devices?: Record<string, InfraDevice>;
}

export interface InfraDevice {
  type: string;
  [key: string]: ConfigValue;
}

export interface InfraDomain {
  description?: string;
  enabled?: boolean;
  subnet_id?: number;
  ephemeral?: boolean;
  trust_level?: TrustLevel;
  ai_provider?: "local" | "cloud" | "local-first";
  ai_sanitize?: boolean | "always";
  profiles?: Record<string, InfraProfile | null> | null;
  machines?: Record<string, InfraMachine> | null;
  /** anklume only: accepted, ignored (validators/infra-schema.ts ANKLUME_ONLY_KEYS). */
  file_portal?: unknown;
}

/** How plumb reaches a `type: server` machine over SSH (reconcilers/delivery/ssh). */
export interface InfraSsh {
  user?: string;
  port?: number;
  /** ProxyJump: `[user@]host[:port]`. */
  jump?: string;
  /** The host key fingerprint, `SHA256:` + 43 base64 characters (`ssh-keygen -lf` form). */
  host_key?: string;
}

/** A secret contract input: the value is resolved at apply (core/redact/secrets.ts), never committed. */
export interface InfraSecretRef {
  secret: string;
}

/** A contract a machine receives (docs/infra-reference.md, docs/contracts.md). */
export interface InfraContract {
  /** A template folder under templates/ (locked in templates.lock). */
  template: string;
  /** Unique per machine; defaults to the template slug. */
  name?: string;
  /** Validated against the template's inputs schema; `{secret: NAME}` for `x-sensitive` inputs. */
  inputs?: Record<string, unknown>;
  /** Bump to run the same inputs again. */
  revision?: number;
}

export type MachineType = "lxc" | "vm" | "server";

export interface InfraMachine {
  description?: string;
  /** lxc | vm: an Incus instance; server: a plain server reached over SSH (no Incus object). */
  type?: MachineType;
  /** `type: server` only: its IP address or DNS name (not allocated from the domain subnet). */
  address?: string;
  /** `type: server` only. */
  ssh?: InfraSsh;
  /** Contracts delivered to this machine at apply (any type). */
  contracts?: InfraContract[];
  ip?: string;
  ephemeral?: boolean;
  gpu?: boolean;
  profiles?: string[];
  roles?: string[];
  config?: Record<string, ConfigValue>;
  devices?: Record<string, InfraDevice>;
  storage_volumes?: Record<string, { pool?: string; size?: string; path?: string }>;
  os_image?: string;
  boot_autostart?: boolean;
  boot_priority?: number;
  snapshots_schedule?: string;
  snapshots_expiry?: string;
  weight?: number;
  state?: "running" | "stopped";
  /** Cluster member to create the instance on (passed to Incus as `target`). */
  target?: string;
  persistent_data?: Record<string, { path: string; readonly?: boolean }>;
  /** anklume only: accepted, ignored (validators/infra-schema.ts ANKLUME_ONLY_KEYS). */
  export_apps?: unknown;
}

export interface InfraPolicy {
  description?: string;
  from: string;
  to: string;
  ports?: "all" | number[];
  protocol?: "tcp" | "udp";
  bidirectional?: boolean;
}

export interface InfraSharedVolume {
  source?: string;
  path?: string;
  shift?: boolean;
  propagate?: boolean;
  consumers: Record<string, "ro" | "rw">;
}

// Key lists, typed so that adding a key to an interface without listing it fails to compile.
type Keys<T> = { readonly [K in keyof Required<T>]: true };
export const KEYS = {
  document: {
    project_name: true,
    global: true,
    domains: true,
    network_policies: true,
    shared_volumes: true,
  } satisfies Keys<InfraDocument>,
  global: {
    addressing: true,
    base_subnet: true,
    default_os_image: true,
    default_connection: true,
    default_user: true,
    gpu_policy: true,
    firewall_mode: true,
    nesting_prefix: true,
    ai_access_policy: true,
    ai_access_default: true,
    ai_vram_flush: true,
    resource_policy: true,
    shared_volumes_base: true,
    persistent_data_base: true,
    auto_cleanup: true,
    ansible_dir: true,
  } satisfies Keys<InfraGlobal>,
  addressing: {
    base_octet: true,
    zone_base: true,
    zone_step: true,
  } satisfies Keys<InfraAddressing>,
  domain: {
    description: true,
    enabled: true,
    subnet_id: true,
    ephemeral: true,
    trust_level: true,
    ai_provider: true,
    ai_sanitize: true,
    profiles: true,
    machines: true,
    file_portal: true,
  } satisfies Keys<InfraDomain>,
  machine: {
    description: true,
    type: true,
    address: true,
    ssh: true,
    contracts: true,
    ip: true,
    ephemeral: true,
    gpu: true,
    profiles: true,
    roles: true,
    config: true,
    devices: true,
    storage_volumes: true,
    os_image: true,
    boot_autostart: true,
    boot_priority: true,
    snapshots_schedule: true,
    snapshots_expiry: true,
    weight: true,
    state: true,
    target: true,
    persistent_data: true,
    export_apps: true,
  } satisfies Keys<InfraMachine>,
  policy: {
    description: true,
    from: true,
    to: true,
    ports: true,
    protocol: true,
    bidirectional: true,
  } satisfies Keys<InfraPolicy>,
  sharedVolume: {
    source: true,
    path: true,
    shift: true,
    propagate: true,
    consumers: true,
  } satisfies Keys<InfraSharedVolume>,
  profile: { description: true, config: true, devices: true } satisfies Keys<InfraProfile>,
  ssh: { user: true, port: true, jump: true, host_key: true } satisfies Keys<InfraSsh>,
  contract: {
    template: true,
    name: true,
    inputs: true,
    revision: true,
  } satisfies Keys<InfraContract>,
} as const;
