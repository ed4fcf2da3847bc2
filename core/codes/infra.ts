// Reading and validating the infra: input (PLB0xx), schema (PLB1xx), names (PLB2xx),
// addressing (PLB3xx), references and policies (PLB4xx), machines (PLB5xx).
import type { CodeInfo } from "./code-info.js";

export const INFRA_CODES = {
  // PLB0xx — reading the input
  PLB001: {
    title: "input not found",
    help: "No `infra.yml` or `infra/` directory was found. Run from inside the repository, pass `--root <dir>`, or `--infra <path>`.",
  },
  PLB002: {
    title: "cannot read file",
    help: "The file exists but could not be read (permissions, a directory where a file was expected, …).",
  },
  PLB003: {
    title: "invalid UTF-8",
    help: "YAML files must be UTF-8. Re-save the file as UTF-8; the position points at the first bad byte.",
  },
  PLB004: {
    title: "file too large",
    help: "A single input file is capped (default 16 MiB) so a mistaken commit cannot exhaust memory. Split the estate into `infra/domains/*.yml`.",
  },
  PLB005: {
    title: "empty document",
    help: "The file has no YAML content. Add the expected mapping or delete the file.",
  },
  PLB006: {
    title: "YAML syntax error",
    help: "The YAML parser could not read the file. The message says what it expected at that position.",
  },
  PLB007: {
    title: "duplicate key",
    help: "A mapping repeats a key. YAML parsers disagree on which value wins, so plumbline refuses the file. Remove or rename one of them.",
  },
  PLB008: {
    title: "alias limit exceeded",
    help: 'The document expands anchors/aliases (`&a` / `*a`) beyond the safety bound (a "billion laughs" document). Write the values out or use fewer nested aliases.',
  },
  PLB009: {
    title: "document is not a mapping",
    help: "The top of an infra file must be a mapping (`key: value` lines), not a list or a scalar.",
  },
  PLB010: {
    title: "tab indentation",
    help: "YAML forbids tabs for indentation. Replace them with spaces.",
  },
  PLB011: {
    title: "base.yml missing",
    help: "Directory mode (`infra/`) needs `infra/base.yml` holding `project_name` and `global`.",
  },
  PLB012: {
    title: "ambiguous input",
    help: "Both `infra.yml` and `infra/base.yml` exist. Remove one, or choose with `--infra <path>`.",
  },
  PLB013: {
    title: "domain defined twice",
    help: "In directory mode a domain defined again in a later file replaces the earlier definition entirely (anklume behaviour). Keep one definition.",
  },
  PLB014: {
    title: "ignored key in policies.yml",
    help: "Only `network_policies` is read from `infra/policies.yml`; other keys are ignored.",
  },

  PLB015: {
    title: "path not usable",
    help: "A path given on the command line (`--key`, `--infra`, a plan file, …) or named by a file cannot be used as asked: it is a directory where a file is expected, does not exist, or is not readable. The message names the path.",
  },

  // PLB1xx — structure (JSON Schema)
  PLB101: {
    title: "missing required key",
    help: "A required key is absent. The message names it; see docs/infra-reference.md.",
  },
  PLB102: {
    title: "wrong type",
    help: "The value has the wrong type. YAML 1.2 is used: booleans are `true`/`false` only (`yes`/`no`/`on`/`off` are strings); quote numbers you mean as strings.",
  },
  PLB103: {
    title: "value not allowed",
    help: "The value is not one of the allowed values listed in the message.",
  },
  PLB104: {
    title: "value out of range",
    help: "A number is below the minimum or above the maximum allowed.",
  },
  PLB105: {
    title: "value has the wrong form",
    help: "A string does not match the required format (see the message for the expected form).",
  },
  PLB106: {
    title: "unknown key",
    help: "The key is not part of the infra format: an error, because a typo (`typ: vm`) would otherwise silently build something else. anklume ignores unknown keys; `--allow-unknown-keys` (validate, generate) turns this into a warning. Keys anklume's own scripts read are not unknown: see PLB108.",
  },
  PLB107: {
    title: "invalid value",
    help: "The value breaks a structural constraint of the schema (see the message).",
  },
  PLB108: {
    title: "anklume key ignored",
    help: "A key anklume's own scripts read (`file_portal` on a domain, `export_apps` on a machine) but plumb does not act on. It is accepted so anklume estates validate unchanged; plumb neither checks nor applies it. A note, never an error, even with `--strict`.",
  },

  // PLB2xx — names
  PLB201: {
    title: "invalid name",
    help: "Domain and machine names are lowercase letters, digits and hyphens, starting and ending with a letter or digit (`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`).",
  },
  PLB202: {
    title: "name too long",
    help: "Names become Linux and Incus identifiers: the bridge `net-<domain>` is a Linux interface name (15 characters at most), so a domain name has at most 11 characters; instance names at most 63.",
  },
  PLB203: {
    title: "duplicate machine name",
    help: "Machine names are global across all domains (they are Incus instance names and Ansible hosts).",
  },
  PLB204: {
    title: "name collides with generated files",
    help: "The name would produce a generated file or Ansible group that already means something else (`group_vars/all.yml`, the `all`/`ungrouped` groups, a host and a group with the same name).",
  },

  PLB205: {
    title: "name would leave its base directory",
    help: "A name that becomes a host path (a shared volume under `shared_volumes_base`, persistent data under `persistent_data_base`, a generated file) must have the name form and stay inside its base. Validation refuses such names (PLB201); this code is the generator's own check, reached only when validation was skipped.",
  },

  // PLB3xx — addressing
  PLB301: {
    title: "invalid IPv4 address",
    help: "`ip` must be a dotted-quad IPv4 address without prefix length, e.g. `10.120.0.5`.",
  },
  PLB302: {
    title: "IP outside the domain subnet",
    help: "A machine's `ip` must lie inside its domain's /24 (see the subnet in the message).",
  },
  PLB303: {
    title: "reserved IP",
    help: "The network (.0), broadcast (.255) and gateway (.254) addresses cannot be given to a machine.",
  },
  PLB304: {
    title: "duplicate IP",
    help: "Two machines have the same address. IPs must be unique across all domains.",
  },
  PLB305: {
    title: "duplicate subnet_id",
    help: "In zone mode `subnet_id` is unique within a trust zone; in legacy mode (no `global.addressing`) it is unique across all domains.",
  },
  PLB306: {
    title: "subnet_id required",
    help: "In legacy mode (no `global.addressing`) every domain needs an explicit `subnet_id` (0–254).",
  },
  PLB307: {
    title: "subnet out of range",
    help: "The computed subnet is not a real IPv4 network: `zone_base` plus the zone offset (up to 50 for `disposable`) must stay ≤ 255. Lower `global.addressing.zone_base`.",
  },
  PLB308: {
    title: "too many domains in a zone",
    help: "A trust zone holds at most 255 domains (sequence 0–254). Move domains to another trust level.",
  },
  PLB309: {
    title: "no free static IP",
    help: "Automatic IPs are taken from .1–.99 of the domain's subnet; all are used. Give machines explicit IPs or split the domain.",
  },
  PLB310: {
    title: "invalid base_subnet",
    help: "`global.base_subnet` (legacy mode) must be two octets such as `10.100`.",
  },

  // PLB4xx — references and policies
  PLB401: {
    title: "unknown profile",
    help: "A machine may use `default` or a profile defined under its own domain's `profiles:`.",
  },
  PLB402: {
    title: "unknown policy endpoint",
    help: "`from`/`to` of a network policy must name a domain, a machine, or `host`.",
  },
  PLB403: {
    title: "policy references a disabled domain",
    help: "The policy names a domain with `enabled: false`; it will have no effect until the domain is enabled.",
  },
  PLB404: {
    title: "policy to itself",
    help: "`from` and `to` are the same endpoint; traffic inside a domain is already allowed.",
  },
  PLB405: {
    title: "AI access policy",
    help: "With `ai_access_policy: exclusive`, `ai_access_default` must name a known domain other than `ai-tools`, an `ai-tools` domain must exist, and at most one policy may target `ai-tools`.",
  },
  PLB406: {
    title: "firewall VM needs the anklume domain",
    help: "`firewall_mode: vm` places the firewall VM in a domain named `anklume`; declare it or use `firewall_mode: host`.",
  },

  // PLB5xx — machines, devices, GPU
  PLB501: {
    title: "GPU policy exclusive",
    help: "With `gpu_policy: exclusive` (the default) at most one instance may have GPU access (`gpu: true` or a profile with a `gpu` device). Set `global.gpu_policy: shared` to allow sharing.",
  },
  PLB502: {
    title: "GPU shared by several instances",
    help: "Several instances share the GPU under `gpu_policy: shared`; they compete for its memory.",
  },
  PLB503: {
    title: "container in an untrusted zone",
    help: "LXC containers share the host kernel; for `untrusted` or `disposable` domains consider `type: vm`.",
  },
  PLB504: {
    title: "privileged container",
    help: "`security.privileged: true` on an LXC container gives it root on the host. Prefer an unprivileged container or a VM.",
  },
  PLB505: {
    title: "device name collision",
    help: "Generated devices are named `pd-<name>` (persistent_data) and `sv-<volume>` (shared_volumes); a user device with the same name would be overwritten.",
  },
  PLB506: {
    title: "mount path collision",
    help: "Two volumes (shared or persistent) mount at the same path in the same machine.",
  },
  PLB507: {
    title: "unknown shared-volume consumer",
    help: "`shared_volumes.<v>.consumers` keys must name a domain or a machine.",
  },
} as const satisfies Record<string, CodeInfo>;
