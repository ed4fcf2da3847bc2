// The machine part of the infra schema (validators/infra-schema.ts `$defs`): a machine (Incus
// container, VM or SSH server), its SSH endpoint and its declared contracts.
import {
  absPath,
  anklumeOnly,
  bool,
  HOST_RE,
  JUMP_RE,
  NAME,
  orNull,
  str,
} from "./infra-schema-parts.js";

export const machineDefs = {
  machine: {
    type: "object",
    description:
      "A machine: an Incus container (lxc), virtual machine (vm), or a plain server reached over SSH (server).",
    additionalProperties: false,
    properties: {
      description: { type: ["string", "null"], description: "Free text (null: empty)." },
      type: {
        enum: ["lxc", "vm", "server"],
        default: "lxc",
        description:
          "`lxc`/`vm`: an Incus instance. `server`: a plain server plumb reaches over SSH to deliver contracts; no Incus object, no address allocation (needs `address` and `ssh.host_key`).",
      },
      address: {
        type: "string",
        pattern: HOST_RE,
        description:
          "`type: server` only: the server's IP address or DNS name (its own; not allocated from the domain subnet).",
      },
      ssh: { $ref: "#/$defs/ssh" },
      contracts: {
        type: "array",
        description:
          "Contracts this machine receives at apply (template + inputs; see docs/contracts.md). A new or changed contract runs once; an unchanged one does nothing.",
        items: { $ref: "#/$defs/contract" },
      },
      ip: {
        type: "string",
        description:
          "Static IPv4 inside the domain /24 (not .0, .254, .255). Zone mode: assigned from .1 when absent.",
      },
      ephemeral: bool("Overrides the domain's `ephemeral`."),
      gpu: bool("Give the machine the host GPU (see `global.gpu_policy`)."),
      profiles: {
        type: ["array", "null"],
        items: { type: "string" },
        description: "`default` or profiles defined in the same domain (null: as absent).",
      },
      roles: {
        type: ["array", "null"],
        items: { type: "string" },
        description: "Ansible roles to apply (null: none).",
      },
      config: orNull({ $ref: "#/$defs/config" }),
      devices: orNull({ $ref: "#/$defs/devices" }),
      storage_volumes: {
        type: ["object", "null"],
        propertyNames: { pattern: NAME },
        additionalProperties: {
          type: "object",
          additionalProperties: false,
          properties: {
            pool: { type: "string" },
            size: { type: "string" },
            path: { type: "string" },
          },
        },
      },
      os_image: str("Image, e.g. `images:debian/13`; default `global.default_os_image`."),
      boot_autostart: bool("Start with the host."),
      boot_priority: { type: "integer", minimum: 0, maximum: 100 },
      snapshots_schedule: {
        type: "string",
        pattern: "^(\\S+\\s+){4}\\S+$",
        description: "Cron expression with 5 fields, e.g. `0 2 * * *`.",
      },
      snapshots_expiry: {
        type: "string",
        pattern: "^\\d+[dhm]$",
        description: "e.g. `30d`, `12h`, `90m`.",
      },
      weight: { type: "integer", minimum: 1, description: "Share under `resource_policy`." },
      state: {
        enum: ["running", "stopped"],
        default: "running",
        description: "Whether `plumb apply` keeps the instance running or stopped.",
      },
      target: {
        type: "string",
        minLength: 1,
        description:
          "Cluster member the instance is created on (Incus `target`); only with a clustered Incus.",
      },
      persistent_data: {
        type: ["object", "null"],
        description:
          "Host directories `<persistent_data_base>/<domain>/<machine>/<name>` mounted as `pd-<name>` devices.",
        propertyNames: { pattern: NAME },
        additionalProperties: {
          type: "object",
          required: ["path"],
          additionalProperties: false,
          properties: {
            path: absPath("Mount point in the machine."),
            readonly: { type: "boolean" },
          },
        },
      },
      export_apps: anklumeOnly("read by its desktop app export scripts"),
    },
  },
  ssh: {
    type: "object",
    description:
      "`type: server` only: how plumb reaches the server with the system OpenSSH client.",
    additionalProperties: false,
    properties: {
      user: {
        type: "string",
        pattern: "^[a-z_][a-z0-9_-]*[$]?$",
        default: "root",
        description: "Login user (default root).",
      },
      port: {
        type: "integer",
        minimum: 1,
        maximum: 65535,
        default: 22,
        description: "SSH port (default 22).",
      },
      jump: {
        type: "string",
        pattern: JUMP_RE,
        description: "ProxyJump host, `[user@]host[:port]`.",
      },
      host_key: {
        type: "string",
        pattern: "^SHA256:[A-Za-z0-9+/]{43}$",
        description:
          "Required for a server: its host key fingerprint as `ssh-keygen -lf` prints it (`SHA256:` + 43 base64 characters). Connections to any other key are refused.",
      },
    },
  },
  contract: {
    type: "object",
    required: ["template"],
    description: "A contract: a template of templates/ with its inputs.",
    additionalProperties: false,
    properties: {
      template: {
        type: "string",
        pattern: NAME,
        description: "A template folder under templates/, locked in templates.lock.",
      },
      name: {
        type: "string",
        pattern: NAME,
        description: "Unique per machine (default: the template slug).",
      },
      inputs: {
        type: "object",
        description:
          "Validated against the template's inputs schema. An `x-sensitive` input takes `{secret: NAME}`, resolved at apply from .plumb/secrets.yml or PLUMB_SECRET_<NAME>.",
      },
      revision: {
        type: "integer",
        minimum: 0,
        description: "Bump to run the contract again with the same inputs.",
      },
    },
  },
} as const;
