// The stable message codes. Tests assert codes, never message text; docs/error-codes.md is
// generated from this table (`npm run docs:codes`) and a test keeps the two in step.

interface CodeInfo {
  readonly title: string;
  readonly help: string;
}

export const CODES = {
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
    help: "The key is not part of the infra format. anklume ignores unknown keys silently; plumbline warns (a typo here usually means a setting silently not applied). `--strict` makes this an error.",
  },
  PLB107: {
    title: "invalid value",
    help: "The value breaks a structural constraint of the schema (see the message).",
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

  // PLB6xx — generator (plumb generate)
  PLB601: {
    title: "no managed section",
    help: "An existing generated file (inventory/, group_vars/, host_vars/) has no `# === MANAGED BY infra.yml ===` … `# === END MANAGED ===` section, so plumb cannot tell its lines from yours and refuses to touch it. Add the two marker lines where the generated variables should go, or move the file away to have it created afresh.",
  },
  PLB602: {
    title: "duplicated managed-section marker",
    help: "A generated file has more than one BEGIN or END marker. Keep exactly one managed section per file (delete the copy), then run `plumb generate` again.",
  },
  PLB603: {
    title: "managed-section markers out of order",
    help: "A generated file has an END marker without a BEGIN before it, or a BEGIN that is never closed. Restore the marker lines (BEGIN, generated lines, END) or delete the file to regenerate it.",
  },
  PLB604: {
    title: "managed section edited by hand",
    help: "The text inside a managed section no longer matches the hash plumb recorded when it wrote it (`# plumb: sha256=…`). Move your variables below `# === END MANAGED ===`, where they are kept, or run `plumb generate --force` to overwrite the section.",
  },
  PLB605: {
    title: "generated files out of date",
    help: "`plumb generate --check` found files that `plumb generate` would create, change or prune (the diff is printed). Run `plumb generate` (and `--prune` for orphans) and commit the result.",
  },
  PLB606: {
    title: "orphaned generated file",
    help: "A generated file belongs to a domain or machine that is no longer declared. `plumb generate --prune` deletes it after confirmation; files saying `ephemeral: false` are protected and must be removed by hand.",
  },
  PLB607: {
    title: "confirmation needed",
    help: "`--prune` deletes files and asks first; without a terminal it cannot ask. Pass `--yes` in scripts and CI.",
  },
  PLB608: {
    title: "cannot read or write a generated file",
    help: "A file or folder of the generated tree could not be read or written (permissions, a folder where a file is expected, invalid UTF-8, a full disk, …). Nothing is half-written: each file is replaced atomically.",
  },

  // PLB7xx — Incus driver and reconcilers
  PLB701: {
    title: "cannot reach Incus",
    help: "No connection to the Incus API. Locally: is the daemon up (`scripts/incus-sandbox.sh status`) and is `$INCUS_SOCKET` (default /var/lib/incus/unix.socket) readable by you? Remotely: check the address, port and that the server listens (`core.https_address`).",
  },
  PLB702: {
    title: "Incus rejected the request",
    help: "The Incus API answered with an error. The message names the method, endpoint, HTTP status and Incus's own error text; fix the value it names (an unknown config key, a running instance, a non-empty project, …).",
  },
  PLB703: {
    title: "Incus object not found",
    help: "The project, network, profile, instance, snapshot or operation does not exist (HTTP 404). Check the name and the project it is looked up in.",
  },
  PLB704: {
    title: "Incus object already exists",
    help: 'A create collided with an existing object (Incus answers 409, or 500 with "already exists"/UNIQUE). Another writer may have created it: re-read and converge instead of creating.',
  },
  PLB705: {
    title: "object changed since it was read",
    help: "The ETag sent with If-Match no longer matches (HTTP 412): someone changed the object after it was read. Re-read it, re-diff and retry; for a saved plan, plan again.",
  },
  PLB706: {
    title: "Incus operation failed",
    help: "An asynchronous Incus operation (create, start, stop, snapshot, restore, delete, …) finished with an error. The message carries Incus's error; the daemon log has details.",
  },
  PLB707: {
    title: "Incus request timed out",
    help: "The API call or operation did not finish in time. The daemon may be overloaded or stuck; check `incus operation list` and retry. The operation may still complete on the server.",
  },
  PLB708: {
    title: "Incus server certificate mismatch",
    help: "The remote server's certificate does not match the pinned fingerprint. Do not continue unless the server certificate was deliberately replaced; then pin the new one (`incus info` on the server shows `certificate_fingerprint`).",
  },
  PLB709: {
    title: "unexpected Incus response",
    help: "The Incus API answered something the driver cannot read (not JSON, or not the expected shape). Check that the endpoint is an Incus 6.0+ server.",
  },
  PLB710: {
    title: "invalid Incus connection settings",
    help: "A remote needs an https:// address, a client certificate and key (PEM) trusted by the server, and the server certificate or its SHA-256 fingerprint to pin.",
  },
  PLB711: {
    title: "saved plan is stale",
    help: "An object the saved plan read has changed since (someone applied, edited or deleted it, or the plan targets another Incus). Nothing was changed: `plumb apply` refuses before the first change. Run `plumb plan --out plan.json` again, review it, and apply the new plan. Exit code 3.",
  },
  PLB712: {
    title: "apply lock held",
    help: "Another `plumb apply` (the message names its host, process and start time) holds the lock stored in Incus (`user.plumb.lock` on the `default` project). Wait for it to finish. A lock whose holder died expires on its own (same host: at once; elsewhere: after its lease); `plumb unlock` removes it by hand after confirmation. Exit code 4.",
  },
  PLB713: {
    title: "invalid plan file",
    help: "The file is not a plumb plan, has an unknown `version`, or its digest does not match its content (edited or truncated). Create it again with `plumb plan --out plan.json`.",
  },
  PLB714: {
    title: "domain subnet overlaps a host network",
    help: "A domain's bridge would take a subnet the host already uses (an interface address or a route): creating it can cut the host off the network (anklume's incident). Choose another `subnet_id`/`zone_base`, or run with address-less bridges (`--bridge-addresses none`).",
  },
  PLB715: {
    title: "image cannot be resolved",
    help: "A machine to create names an image on a remote Incus does not know (`images:debian/13` needs the `images` remote of the incus CLI configuration) or a local alias that does not exist. Map it to an image this site has: `--image-map images:debian/13=plumb-busybox`, `PLUMB_IMAGE_MAP`, or `image_map:` in .plumb/site.yml.",
  },
  PLB716: {
    title: "apply did not converge",
    help: "Some changes failed (each is listed with Incus's error) or the re-plan after applying still finds differences. Changes that succeeded stay applied; fix the cause and run `plumb apply` again: it converges from wherever the last run stopped. `plumb snapshot rollback` restores the pre-apply snapshots.",
  },
  PLB717: {
    title: "object not owned by this estate",
    help: "An Incus object with a declared name exists but was not created by this estate (no `user.plumb.*` labels, another estate's, or a copy). plumb never modifies or deletes such objects. Rename the declared object, remove the live one yourself, or `plumb import` it to take it over.",
  },
  PLB718: {
    title: "confirmation needed",
    help: "This command changes live infrastructure and asks first; without a terminal it cannot ask. Review the plan and pass `--yes` (apply, unlock, snapshot restore) or `--force` (flush).",
  },
  PLB719: {
    title: "pre-apply snapshot failed",
    help: "An instance the plan touches could not be snapshotted, so apply stopped before changing anything. Fix the cause (disk space, a stuck instance), or run with `--no-snapshot` to apply without a safety net.",
  },
  PLB720: {
    title: "nothing to roll back",
    help: "No pre-apply snapshot with that timestamp exists on any instance of this estate, or none could be restored. `plumb snapshot rollback --list` shows the available ones.",
  },
  PLB721: {
    title: "instance not found",
    help: "No instance of that name exists in any Incus project (`self` means this machine's hostname). Check the name with `plumb snapshot list`.",
  },
  PLB722: {
    title: "apply lock lost",
    help: "The lock this apply held was taken over (forced `plumb unlock`, or its lease expired while the process was stalled). It stopped between two changes; run `plumb apply` again.",
  },
  PLB723: {
    title: "flush needs --force",
    help: "`plumb flush` destroys every Incus object this estate owns and the generated Ansible files. It runs only with `--force`; objects plumb does not own are never touched.",
  },
  PLB724: {
    title: "live state not expressible in infra YAML",
    help: "`plumb import` met something the infra format cannot describe (a bridge subnet outside the 10.x zone scheme, an instance outside any project of a bridge, …). The file is written without it and the message says what was left out.",
  },
  PLB725: {
    title: "invalid site settings",
    help: "`--image-map`, `PLUMB_IMAGE_MAP`, `--bridge-addresses` or .plumb/site.yml has a value plumb cannot read. Image maps are `from=to` pairs, comma-separated in the environment variable.",
  },
  PLB726: {
    title: "plan has conflicts",
    help: "Some declared objects collide with Incus objects plumb does not own (listed in the plan). They are left untouched and everything that depends on them is skipped; the rest applies. Resolve each conflict (rename, remove, or import) to converge.",
  },

  // PLB8xx — contracts, keys and signatures
  PLB801: {
    title: "invalid public key",
    help: "An OpenSSH public key line could not be read. The expected form is `ssh-ed25519 AAAA… [comment]` on one line, as in a `.pub` file.",
  },
  PLB802: {
    title: "unsupported key type",
    help: "plumbline signs and verifies with Ed25519 keys only. Create one with `plumb keys generate` or `ssh-keygen -t ed25519`.",
  },
  PLB803: {
    title: "invalid private key file",
    help: "The file is not a well-formed unencrypted `-----BEGIN OPENSSH PRIVATE KEY-----` Ed25519 key (openssh-key-v1). Check it with `ssh-keygen -y -f <file>`.",
  },
  PLB804: {
    title: "encrypted private key",
    help: "plumbline does not read passphrases. Load the key into ssh-agent (`ssh-add <file>`) and sign through the agent, so the key stays in the agent or on the hardware token.",
  },
  PLB805: {
    title: "ssh-agent unavailable",
    help: "No usable ssh-agent: `SSH_AUTH_SOCK` is unset or its socket cannot be reached. Start one (`eval $(ssh-agent)`) and `ssh-add` the key.",
  },
  PLB806: {
    title: "key not in ssh-agent",
    help: "The agent does not hold the requested key. Add it with `ssh-add`, or check the fingerprints with `ssh-add -l`.",
  },
  PLB807: {
    title: "ssh-agent refused or failed",
    help: "The agent answered with a failure or a malformed reply (a confirmation was refused, a hardware token was not touched, or the agent is not an OpenSSH-compatible agent).",
  },
  PLB808: {
    title: "malformed SSH data",
    help: "A length-prefixed SSH wire structure was truncated, declared an impossible length or carried trailing bytes.",
  },
  PLB810: {
    title: "signature armor invalid",
    help: "A signature file must start with `-----BEGIN SSH SIGNATURE-----`, hold only base64 lines (LF line endings) and end with `-----END SSH SIGNATURE-----` and at most one newline.",
  },
  PLB811: {
    title: "signature truncated",
    help: "The decoded SSHSIG blob ends before a field is complete. The file was cut or corrupted; sign again.",
  },
  PLB812: {
    title: "trailing data in signature",
    help: "Bytes follow the end of the SSHSIG blob (or of a structure inside it). A valid signature has none; the file was altered.",
  },
  PLB813: {
    title: "not an SSHSIG signature",
    help: "The decoded data does not start with the `SSHSIG` magic, so it is not an OpenSSH signature made by `ssh-keygen -Y sign`.",
  },
  PLB814: {
    title: "unsupported signature version",
    help: "Only SSHSIG version 1 exists; a different version is refused rather than guessed at.",
  },
  PLB815: {
    title: "signature namespace mismatch",
    help: "The signature was made for another purpose (namespace) than the one being verified. A signature is only valid in the namespace it was made for; this stops a signature over one kind of document being replayed as another.",
  },
  PLB816: {
    title: "unsupported hash algorithm",
    help: "SSHSIG signatures hash the message with `sha512` (ssh-keygen's default) or `sha256`, spelled in lowercase. Anything else is refused.",
  },
  PLB817: {
    title: "unsupported signature key type",
    help: "The signature was made by a key, or uses a signature algorithm, other than `ssh-ed25519`. Only Ed25519 signatures are accepted.",
  },
  PLB818: {
    title: "signed by a different key",
    help: "The public key inside the signature is not the key it is being verified against. Check which key signed it with `ssh-keygen -Y check-novalidate -O print-pubkey`.",
  },
  PLB819: {
    title: "signature does not verify",
    help: "The cryptographic check failed: the message differs from what was signed (even by one byte), or the signature bytes were altered.",
  },
  PLB820: {
    title: "malformed signature field",
    help: "A field inside the signature is well framed but has an impossible value (an Ed25519 key or signature of the wrong length, or a signature algorithm that does not match the key).",
  },
  PLB821: {
    title: "invalid namespace",
    help: "A signature namespace must be non-empty and must not contain NUL or line breaks. Use `<purpose>@<your-domain>`, e.g. `contract-manifest-v1@example.org`.",
  },
  PLB822: {
    title: "reserved field not empty",
    help: "The SSHSIG reserved field must be empty. ssh-keygen ignores it, plumbline refuses it so that one signature has exactly one encoding.",
  },
  PLB830: {
    title: "allowed_signers syntax error",
    help: "A line of the allowed_signers file is not `principals [options] ssh-ed25519 AAAA… [comment]` (see ALLOWED SIGNERS in ssh-keygen(1)). The message gives the line number.",
  },
  PLB831: {
    title: "unsupported allowed_signers entry",
    help: "The line uses a feature plumbline does not support: `cert-authority`, a non-Ed25519 key, or a `valid-after`/`valid-before` time without the trailing `Z` (local time is ambiguous). Rewrite the entry with a plain Ed25519 key and UTC times.",
  },
  PLB840: {
    title: "value cannot be canonicalized",
    help: "Canonical JSON (RFC 8785) takes plain JSON data only: no undefined, NaN or Infinity, functions, class instances, lone UTF-16 surrogates or cycles.",
  },
  PLB841: {
    title: "not canonical JSON",
    help: "The bytes are not the RFC 8785 canonical form of the JSON they hold (invalid UTF-8, whitespace, unsorted or duplicate keys, or non-canonical numbers or escapes). Signed manifests must be exactly canonical.",
  },

  // PLB85x–PLB89x — contract templates, gatekeeper, forge
  PLB850: {
    title: "invalid template manifest",
    help: "`templates/<slug>/template.yml` does not match the template schema (see docs/contracts.md). The message names the key.",
  },
  PLB851: {
    title: "template slug mismatch",
    help: "A template's `slug` must equal its folder name under templates/.",
  },
  PLB852: {
    title: "value not representable in a script",
    help: "Bash strings cannot hold NUL bytes, and a lone UTF-16 surrogate has no UTF-8 encoding; plumb refuses such values instead of silently changing them.",
  },
  PLB853: {
    title: "template file missing",
    help: "A `bom[].source` names a file that does not exist under the template's `files/` folder.",
  },
  PLB854: {
    title: "template file outside its folder",
    help: "Template files must live inside `templates/<slug>/files/`: no `..`, no absolute paths, no symbolic links.",
  },
  PLB855: {
    title: "template file too large",
    help: "Template files are capped (1 MiB each, 8 MiB per template) so contracts stay reviewable and small.",
  },
  PLB856: {
    title: "template render error",
    help: "Rendering a template file or field failed (syntax error or an undefined variable). Every variable must be a declared input.",
  },
  PLB857: {
    title: "script syntax error",
    help: "The compiled Bash script does not pass `bash -n`.",
  },
  PLB858: {
    title: "shellcheck finding",
    help: "The compiled script (rendered with the template's sample inputs) has a shellcheck finding at warning level or above.",
  },
  PLB859: {
    title: "forbidden pattern",
    help: "The template contains a pattern contracts may not use: download-and-execute (`curl … | sh`), `eval`, `sh -c`/`bash -c` with expansions, or `source` of a downloaded file.",
  },
  PLB860: {
    title: "write outside the BOM",
    help: "An executable template file writes to an absolute path that is not declared in the template's `bom`. Declare the file in `bom` so it is checksummed, or remove the write.",
  },
  PLB861: {
    title: "templates.lock out of date",
    help: "A template folder's content hash differs from `templates.lock` (or is missing from it). Review the change, then run `plumb templates lock` and commit the lock.",
  },
  PLB862: {
    title: "invalid templates.lock",
    help: '`templates.lock` is not valid JSON of the form {"version": 1, "templates": {"<slug>": "sha256:<hex>"}}. Regenerate it with `plumb templates lock`.',
  },
  PLB863: {
    title: "unknown template",
    help: "No folder `templates/<slug>/` with a `template.yml`. `plumb templates check` lists the templates.",
  },
  PLB864: {
    title: "invalid contract inputs",
    help: "The `--input` values do not satisfy the template's `inputs` schema; the message names the input.",
  },
  PLB865: {
    title: "bad --input syntax",
    help: "Write inputs as `--input key=value` (repeatable); `key=@file` reads the value from a file.",
  },
  PLB866: {
    title: "unknown target",
    help: "`--target` must name a machine declared in the infra (or pass `--target-any <name>` for a plain server outside it).",
  },
  PLB867: {
    title: "lint tool missing",
    help: "The template gatekeeper needs `bash` and `shellcheck` on PATH (Debian: apt-get install shellcheck).",
  },
  PLB868: {
    title: "unused template file",
    help: "A file under `files/` is not referenced by the template's `bom`; it would never be deployed.",
  },

  // PLB87x–PLB89x — trust policy: keyring, manifests, contract verification
  PLB870: {
    title: "invalid keyring",
    help: "keys/keyring.json is not a valid plumb keyring (canonical JSON with schema, version, expires, keys, roles, revoked). Rebuild it with `plumb keys` commands rather than by hand.",
  },
  PLB871: {
    title: "keyring not signed by its threshold",
    help: "The keyring must carry valid signatures from at least `roles.keyring.threshold` distinct keys of its keyring role. Run `plumb keys sign-keyring --key <file>` with enough approvers.",
  },
  PLB872: {
    title: "keyring expired",
    help: "The keyring's `expires` is in the past; trust has lapsed. Extend it (`plumb keys expire-in <days>`) and have it re-signed.",
  },
  PLB873: {
    title: "keyring rotation refused",
    help: "A new keyring version must be exactly the previous version + 1 and be signed by a threshold of the previous keyring role's keys as well as its own; revoked keys never come back.",
  },
  PLB874: {
    title: "key not trusted for this role",
    help: "The signing key is not in the keyring role that this document needs (e.g. contract). Add it with `plumb keys trust <pubkey> --role contract` and re-sign the keyring.",
  },
  PLB875: {
    title: "key revoked",
    help: "The key is on the keyring's revocation list; its signatures count for nothing, even if it is still listed elsewhere.",
  },
  PLB876: {
    title: "key outside its validity window",
    help: "The key's valid_after/valid_before window does not contain the verification time.",
  },
  PLB877: {
    title: "signature threshold not met",
    help: "Fewer distinct trusted keys signed than the role's threshold requires. Two signatures by the same key count once.",
  },
  PLB878: {
    title: "invalid contract manifest",
    help: "manifest.json is not a canonical plumb contract manifest (schema 1). Re-create it with `plumb contract sign`.",
  },
  PLB879: {
    title: "contract for another target",
    help: "The manifest binds the contract to a different target: a contract signed for one machine cannot run on another.",
  },
  PLB880: {
    title: "manifest not valid now",
    help: "The verification time is before `not_before` or after `expires`; sign a fresh manifest.",
  },
  PLB881: {
    title: "keyring version mismatch",
    help: "The manifest was signed under another keyring version than the one the verifier trusts; re-sign under the current keyring.",
  },
  PLB882: {
    title: "script does not match the manifest",
    help: "sha256 of contract.sh differs from the manifest's subject: the script was changed after signing.",
  },
  PLB883: {
    title: "replayed or old contract",
    help: "The manifest's sequence number is not above the target's high-water mark: an already-run or older contract is refused.",
  },
  PLB884: {
    title: "verifier state missing or corrupt",
    help: "The target's high-water-mark state cannot be read; the verifier refuses rather than starting from zero. Restore it or re-bootstrap the target explicitly.",
  },
  PLB885: {
    title: "incomplete contract bundle",
    help: "A contract bundle needs contract.sh, hfc.json, manifest.json and signatures/*.sig.",
  },
  PLB886: {
    title: "no signing key",
    help: "Give --key <OpenSSH private key file> or --agent (uses $SSH_AUTH_SOCK).",
  },
  PLB887: {
    title: "keyring already exists",
    help: "keys/keyring.json exists; change it with `plumb keys trust|revoke|threshold` instead of `init`.",
  },
  PLB888: {
    title: "contract test failed",
    help: "In the sandbox container the contract was refused by the target-side verifier, or it ran and failed (a gate, a BOM write, an operation or a proof). The output and the log say which step.",
  },
  PLB889: {
    title: "sandbox unavailable",
    help: "`plumb contract test` needs a running Incus daemon and the Debian test image: `sudo scripts/incus-sandbox.sh up --with-debian`.",
  },

  // PLB9xx — internal
  PLB900: {
    title: "usage error",
    help: "The command line is not valid; see `plumb <command> --help`.",
  },
  PLB999: {
    title: "internal error",
    help: "A bug in plumbline. Re-run with `--debug` for the stack trace and report it.",
  },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;
