// The declarative command table. One entry per command; its module is imported only when run.
import type { CommandSpec, OptionSpec } from "./spec.js";

export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  root: {
    type: "string",
    valueName: "dir",
    description: "Repository root (default: nearest ancestor holding infra/ or infra.yml)",
  },
  json: { type: "boolean", description: "Machine-readable JSON on stdout" },
  "no-color": { type: "boolean", description: "No ANSI colours (also: NO_COLOR=1)" },
  debug: { type: "boolean", description: "Show stack traces of unexpected errors" },
  help: { type: "boolean", short: "h", description: "Show help" },
  version: { type: "boolean", short: "V", description: "Print the version" },
};

const formatOption: OptionSpec = {
  type: "string",
  valueName: "fmt",
  choices: ["human", "json", "github"],
  default: "human",
  description: "Output format; `github` prints workflow annotations",
};

const infraOption: OptionSpec = {
  type: "string",
  valueName: "path",
  description:
    "The infra input: an infra.yml file or an infra/ directory (default: found under the root)",
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "validate",
    summary: "Check the infra YAML (schema, then semantic rules) and report every problem",
    description:
      "Reads infra.yml or infra/ (base.yml, domains/*.yml, policies.yml), checks it against the JSON Schema, then\n" +
      "runs the semantic rules (names, addressing, references, policies, GPU, …), and the template gatekeeper on\n" +
      "templates/ (see `plumb templates --help`). Reports all problems at once\n" +
      "with file:line:column and a hint. Exit 0 when valid (warnings allowed), 1 otherwise.",
    usage: "plumb validate [--format human|json|github] [--strict] [--infra <path>]",
    options: {
      format: formatOption,
      strict: { type: "boolean", description: "Treat warnings (unknown keys, advice) as errors" },
      infra: infraOption,
      quiet: { type: "boolean", short: "q", description: "Print only problems, no summary line" },
      "skip-templates": {
        type: "boolean",
        description: "Do not run the template gatekeeper on templates/",
      },
    },
    examples: [
      ["plumb validate", "Validate the estate of the repository you are in"],
      [
        "plumb validate --strict --format github",
        "In CI: annotate the pull request, fail on warnings too",
      ],
      ["plumb validate --infra ../anklume/infra.yml", "Check an anklume infra.yml"],
      ["plumb validate --json | jq '.diagnostics[].code'", "List the error codes"],
    ],
    load: () => import("./commands/validate.js"),
  },
  {
    name: "generate",
    aliases: ["sync"],
    summary:
      "Render the Ansible tree (inventory/, group_vars/, host_vars/) from the validated infra",
    description:
      "Validates first, then writes anklume-compatible files: inventory/<domain>.yml, group_vars/all.yml,\n" +
      "group_vars/<domain>.yml and host_vars/<machine>.yml. Only the `# === MANAGED BY infra.yml ===` section of a\n" +
      "file is rewritten; your text around it is kept byte for byte. A section edited by hand is detected (hash)\n" +
      "and refused unless --force. Every file is checked before any is written; each write is atomic and only\n" +
      "files whose bytes change are written. Files of undeclared domains/machines are reported as orphans.\n" +
      "Exit 0 on success; 1 on errors, and with --check when anything would change.",
    usage:
      "plumb generate [--check | --dry-run] [--prune [--yes]] [--force] [--out <dir>] [--format human|json|github]",
    options: {
      check: {
        type: "boolean",
        description:
          "Write nothing; print a diff per file and exit 1 if anything would change (CI)",
      },
      "dry-run": { type: "boolean", description: "Write nothing; show what would be written" },
      prune: {
        type: "boolean",
        description: "Delete orphaned files (asks first; ephemeral: false files are never deleted)",
      },
      yes: { type: "boolean", short: "y", description: "Do not ask before pruning (scripts, CI)" },
      force: {
        type: "boolean",
        description: "Overwrite managed sections that were edited by hand",
      },
      out: {
        type: "string",
        valueName: "dir",
        description: "Where inventory/, group_vars/, host_vars/ go (default: the repository root)",
      },
      format: formatOption,
      strict: { type: "boolean", description: "Treat validation warnings as errors" },
      infra: infraOption,
      quiet: {
        type: "boolean",
        short: "q",
        description: "Print only what needs attention (errors, orphans, a failing --check)",
      },
    },
    examples: [
      ["plumb generate", "Write the Ansible tree of the repository you are in"],
      [
        "plumb generate --check --format github",
        "In CI: fail with a diff and annotations when the committed tree is stale",
      ],
      ["plumb generate --dry-run", "Show what would be written, write nothing"],
      ["plumb generate --prune --yes", "Also delete files of removed domains and machines"],
      ["plumb sync --infra ../anklume/infra.yml --out /tmp/tree", "anklume's name; another estate"],
    ],
    load: () => import("./commands/generate.js"),
  },
  {
    name: "templates",
    summary: "Check contract templates (manifest, assets, logic, hash) or update templates.lock",
    description:
      "The gatekeeper for templates/<slug>/ folders, in four stages: the manifest matches the template schema; every\n" +
      "file is inside the folder, no symlinks, sizes bounded; rendered with its sample inputs, the compiled script passes\n" +
      "bash -n and shellcheck and uses no forbidden pattern; the folder's hash matches templates.lock.\n" +
      "`lock` records the current hashes after the first three stages pass (commit it with the reviewed change).",
    usage: "plumb templates check [slug…] [--format human|json|github] | plumb templates lock",
    positionals: { min: 1, max: 64 },
    options: {
      format: {
        type: "string",
        valueName: "fmt",
        choices: ["human", "json", "github"],
        default: "human",
        description: "Output format",
      },
    },
    examples: [
      ["plumb templates check", "Run all four stages on every template"],
      ["plumb templates check motd", "Only report on one template"],
      [
        "plumb templates lock && git add templates.lock",
        "After reviewing a template change, record its hash",
      ],
    ],
    load: () => import("./commands/templates.js"),
  },
  {
    name: "contract",
    summary:
      "Forge, sign and verify contracts (template + inputs → HFC + Bash, signed with SSHSIG)",
    description:
      "forge   validates --input values against the template's schema and writes .plumb/contracts/<id>/contract.sh and\n" +
      "        hfc.json. Deterministic: created_at comes from SOURCE_DATE_EPOCH or the commit.\n" +
      "sign    creates manifest.json (sha256 of the script, target, seq, validity window, keyring version; canonical\n" +
      "        JSON) if absent and adds this key's SSHSIG signature under signatures/. Co-signers run it again.\n" +
      "verify  the full policy: signatures by distinct trusted contract keys up to the threshold, not revoked, in their\n" +
      "        validity window; then target, time window, keyring version, replay mark, script and HFC digests.\n" +
      "test    runs the signed bundle in an ephemeral Incus container through the target-side verifier (stock\n" +
      "        ssh-keygen inside), as a real target would, then deletes the container.\n" +
      "Targets verify with stock ssh-keygen: see `plumb keys export-target`.",
    usage:
      "plumb contract forge <slug> --target <machine> [--input k=v …] | sign <bundle> --key <file> | verify|test <bundle>",
    positionals: { min: 1, max: 2 },
    options: {
      input: {
        type: "string",
        multiple: true,
        valueName: "key=value",
        description: "forge: a template input (repeatable); key=@file reads the value from a file",
      },
      target: {
        type: "string",
        valueName: "machine",
        description: "forge: the machine the contract is for; verify: require this target",
      },
      "external-target": {
        type: "boolean",
        description: "forge: allow a target that is not a machine of infra/ (a plain server)",
      },
      out: {
        type: "string",
        valueName: "dir",
        description: "forge: output directory (default .plumb/contracts/<id>)",
      },
      print: { type: "boolean", description: "forge: also print the compiled script on stdout" },
      "created-at": {
        type: "string",
        valueName: "iso",
        description:
          "forge: creation time to record (default: SOURCE_DATE_EPOCH, else the HEAD commit time)",
      },
      key: {
        type: "string",
        valueName: "file",
        description: "sign: OpenSSH Ed25519 private key file",
      },
      agent: { type: "boolean", description: "sign: sign through ssh-agent ($SSH_AUTH_SOCK)" },
      fingerprint: {
        type: "string",
        valueName: "SHA256:…",
        description: "sign --agent: which agent key",
      },
      seq: {
        type: "string",
        valueName: "n",
        description: "sign: sequence number (default: now in milliseconds)",
      },
      "expires-in": {
        type: "string",
        valueName: "dur",
        default: "7d",
        description: "sign: manifest lifetime (7d, 12h, 90m)",
      },
      "not-before": {
        type: "string",
        valueName: "iso",
        description: "sign: start of validity (default now)",
      },
      state: {
        type: "string",
        valueName: "file",
        description: "verify: replay state file ('<keyring version> <seq>')",
      },
      now: {
        type: "string",
        valueName: "iso",
        description: "verify/sign: evaluate at this time instead of the clock",
      },
      image: {
        type: "string",
        valueName: "alias",
        default: "plumb-debian",
        description: "test: Incus image of the sandbox container",
      },
      project: {
        type: "string",
        valueName: "name",
        default: "default",
        description: "test: Incus project of the sandbox container",
      },
      keep: { type: "boolean", description: "test: keep the sandbox container for inspection" },
      "skip-local-verify": {
        type: "boolean",
        description:
          "test: skip plumb's own check first, to see the target-side verifier refuse on its own",
      },
    },
    examples: [
      [
        "plumb contract forge nginx-standalone --input domain=example.com --target web-front-1",
        "Forge the nginx contract for one machine",
      ],
      [
        "plumb contract forge motd --input banner=@banner.txt --input owner=ops --target ops-bastion --print | less",
        "Read the compiled script before signing it",
      ],
      [
        "plumb contract sign .plumb/contracts/c-… --key ~/.config/plumb/keys/id_ed25519",
        "Approve (sign) a forged contract",
      ],
      [
        "plumb contract verify .plumb/contracts/c-… --target web-front-1",
        "Check it as a target would",
      ],
    ],
    load: () => import("./commands/contract.js"),
  },
  {
    name: "keys",
    summary:
      "Manage signing keys and the repo keyring (keys/keyring.json), export trust files for targets",
    description:
      "The keyring lists trusted Ed25519 keys, their roles (keyring, contract), thresholds, expiry and revocations. It is\n" +
      "canonical JSON signed by its own keyring role; every change makes a new version that must be re-signed.",
    usage:
      "plumb keys generate|init|trust|revoke|threshold|expire-in|sign-keyring|list|verify|export-target …",
    positionals: { min: 1, max: 3 },
    options: {
      out: {
        type: "string",
        valueName: "path",
        description:
          "generate: key file (default ~/.config/plumb/keys/id_ed25519); export-target: directory",
      },
      comment: { type: "string", description: "generate: key comment" },
      pub: {
        type: "string",
        valueName: "file",
        description: "init: the first key (public key file)",
      },
      org: {
        type: "string",
        description: "init: organisation name, scopes signature namespaces (default plumbline)",
      },
      days: { type: "string", description: "init: keyring lifetime in days (default 365)" },
      principal: { type: "string", description: "init/trust: who holds the key" },
      role: {
        type: "string",
        multiple: true,
        description: "trust: contract (default) and/or keyring (repeatable)",
      },
      "valid-before": {
        type: "string",
        valueName: "iso",
        description: "trust: the key expires then",
      },
      key: { type: "string", valueName: "file", description: "sign-keyring: private key file" },
      agent: { type: "boolean", description: "sign-keyring: sign through ssh-agent" },
      fingerprint: {
        type: "string",
        valueName: "SHA256:…",
        description: "sign-keyring --agent: which agent key",
      },
      now: {
        type: "string",
        valueName: "iso",
        description: "evaluate at this time instead of the clock",
      },
    },
    examples: [
      ["plumb keys generate", "Create ~/.config/plumb/keys/id_ed25519 and its .pub"],
      [
        "plumb keys init --pub ~/.config/plumb/keys/id_ed25519.pub --org acme && plumb keys sign-keyring --key ~/.config/plumb/keys/id_ed25519",
        "Start a keyring with your key and sign it",
      ],
      [
        "plumb keys trust bob.pub --principal bob --role contract && plumb keys threshold contract 2",
        "Require two approvers for contracts",
      ],
      [
        "plumb keys export-target --out /tmp/trust",
        "allowed_signers, revoked_keys, policy and plumb-verify for targets",
      ],
    ],
    load: () => import("./commands/keys.js"),
  },
  {
    name: "schema",
    summary: "Print the JSON Schema of the infra format (for editors and other tools)",
    usage: "plumb schema",
    options: {},
    examples: [
      ["plumb schema > infra.schema.json", "Save the schema"],
      [
        "# yaml-language-server: $schema=../validators/infra.schema.json",
        "First line of an infra file: editors then complete and check it",
      ],
    ],
    load: () => import("./commands/schema.js"),
  },
  ...reconcileCommands(),
];

/** Options shared by the commands that plan against Incus. */
function planningOptions(): Record<string, OptionSpec> {
  return {
    infra: infraOption,
    limit: {
      type: "string",
      multiple: true,
      valueName: "domain",
      description: "Plan only these domains (repeatable, or comma-separated)",
    },
    "image-map": {
      type: "string",
      multiple: true,
      valueName: "from=to",
      description:
        "Create machines declaring image `from` from image `to` (offline sites: images:debian/13=plumb-busybox); also PLUMB_IMAGE_MAP, .plumb/site.yml",
    },
    "bridge-addresses": {
      type: "string",
      valueName: "mode",
      choices: ["declared", "none"],
      description:
        "`none`: bridges without IPv4/IPv6 addresses (no DHCP, no NAT; machine IPs not configured); also PLUMB_BRIDGE_ADDRESSES, .plumb/site.yml",
    },
  };
}

function reconcileCommands(): CommandSpec[] {
  const yes: OptionSpec = {
    type: "boolean",
    short: "y",
    description: "Do not ask for confirmation (scripts, CI)",
  };
  return [
    {
      name: "plan",
      summary: "Compare the declared estate with live Incus and show the ordered changes",
      description:
        "Reads the validated infra and live Incus (a handful of recursion=1 listings) and prints what `plumb apply`\n" +
        "would do: projects → networks → profiles → instances → state, deletes in reverse. Kinds: create (+), update (~),\n" +
        "update needing a restart (~, applied only with --allow-restart), replace (-/+, with what forces it), start/stop,\n" +
        "delete (orphans with auto_cleanup), orphan (?, reported) and conflict (!, an object plumb does not own).\n" +
        "--out saves the plan (versioned JSON with the observed hash of every object read, git head and digest) for\n" +
        "`plumb apply plan.json`. Exit 0; with --detailed-exitcode 0 no changes, 1 error, 2 changes. Conflicts exit 1.",
      usage:
        "plumb plan [--format human|json|markdown] [--detailed-exitcode] [--limit <domain>] [--out plan.json]",
      options: {
        ...planningOptions(),
        format: {
          type: "string",
          valueName: "fmt",
          choices: ["human", "json", "markdown"],
          default: "human",
          description: "human (terraform-like), json (the plan document), markdown (a PR comment)",
        },
        "detailed-exitcode": {
          type: "boolean",
          description: "Exit 0 when there is nothing to do, 2 when there are changes, 1 on error",
        },
        out: {
          type: "string",
          valueName: "file",
          description: "Save the plan for `plumb apply <file>`",
        },
      },
      examples: [
        ["plumb plan", "What would change on the local Incus"],
        [
          "plumb plan --detailed-exitcode --format markdown > plan.md",
          "In CI: a PR comment; exit 2 on changes",
        ],
        [
          "plumb plan --out plan.json && plumb apply plan.json",
          "Review, then apply exactly that plan",
        ],
        ["plumb plan --image-map images:debian/13=plumb-busybox", "On an offline site"],
      ],
      load: () => import("./commands/plan.js"),
    },
    {
      name: "apply",
      summary: "Apply a plan to Incus: lock, pre-apply snapshots, changes in order, re-plan",
      description:
        "Without a file: plans, shows the plan and asks (--yes for scripts). With a saved plan: re-reads every object\n" +
        "the plan read and refuses before the first change if anything moved (exit 3). Takes the lock stored in Incus\n" +
        "(exit 4 if held), snapshots every existing instance the plan touches as pre-apply-YYYYMMDD-HHMMSS (keeps the\n" +
        "newest --keep per instance), applies in dependency order with bounded parallelism, journals every step in\n" +
        ".plumb/runs/<run-id>/ and re-plans. Exit 0 converged, 1 failure, 2 changes left (e.g. restarts not allowed).",
      usage:
        "plumb apply [plan.json] [--yes] [--allow-restart] [--no-snapshot] [--keep N] [--limit <domain>] [--parallelism N]",
      positionals: { min: 0, max: 1 },
      options: {
        ...planningOptions(),
        yes,
        "allow-restart": {
          type: "boolean",
          description: "Apply changes that need a restart of a running instance (it is restarted)",
        },
        "no-snapshot": { type: "boolean", description: "Do not take pre-apply snapshots" },
        keep: {
          type: "string",
          valueName: "N",
          description: "Pre-apply snapshots kept per instance (default 3)",
        },
        parallelism: {
          type: "string",
          valueName: "N",
          description: "Changes in flight at once (default 4)",
        },
        "stop-timeout": {
          type: "string",
          valueName: "s",
          description: "Seconds a clean stop may take before it is forced (default 30)",
        },
        "lock-timeout": {
          type: "string",
          valueName: "s",
          description:
            "Wait up to this many seconds for another apply's lock (default 0; also PLUMB_LOCK_TIMEOUT)",
        },
      },
      examples: [
        ["plumb apply", "Plan, confirm, apply"],
        ["plumb apply plan.json --yes", "Apply a reviewed plan (refused if stale)"],
        ["plumb apply --allow-restart --yes", "Also apply changes that restart running instances"],
      ],
      load: () => import("./commands/apply.js"),
    },
    {
      name: "snapshot",
      summary: "Instance snapshots (create/restore/list/delete) and pre-apply rollback",
      description:
        "create|restore|delete <instance|self> [name] — snap-YYYYMMDD-HHMMSS by default; the project is found by the\n" +
        "instance name; `self` is this machine's hostname; restoring yourself asks first (--force skips).\n" +
        "list [instance|self] — every instance when omitted.\n" +
        "rollback [timestamp] — restores pre-apply-<timestamp> (default: the latest) on every instance of the estate\n" +
        "that has it; --list shows the available ones; --cleanup --keep N deletes older ones.",
      usage:
        "plumb snapshot create|restore|list|delete <instance|self> [name] | plumb snapshot rollback [timestamp] [--list | --cleanup --keep N]",
      positionals: { min: 1, max: 3 },
      options: {
        infra: infraOption,
        force: {
          type: "boolean",
          description: "Restore without asking, even on this very machine",
        },
        yes,
        list: { type: "boolean", description: "rollback: list the pre-apply snapshots" },
        cleanup: { type: "boolean", description: "rollback: delete old pre-apply snapshots" },
        keep: {
          type: "string",
          valueName: "N",
          description: "rollback --cleanup: how many to keep (default 3)",
        },
      },
      examples: [
        ["plumb snapshot create web-api", "snap-YYYYMMDD-HHMMSS of web-api"],
        ["plumb snapshot rollback", "Undo the last apply (restore its pre-apply snapshots)"],
        ["plumb snapshot rollback --list", "Pre-apply snapshots and the instances holding them"],
      ],
      load: () => import("./commands/snapshot.js"),
    },
    {
      name: "import",
      summary: "Write infra YAML reproducing live Incus, and take the objects over",
      description:
        "Scans the Incus projects (all but `default`, or --project), their bridges, profiles and instances, and writes\n" +
        "an infra directory that reproduces them; then labels the objects as owned by the estate so that `plumb plan`\n" +
        "shows no changes (asks first; --yes). --dry-run writes and labels nothing.",
      usage:
        "plumb import --out <dir> [--name <project_name>] [--project <p>…] [--yes] [--dry-run]",
      options: {
        out: {
          type: "string",
          valueName: "dir",
          description: "Where to write infra/ (must not exist)",
        },
        name: {
          type: "string",
          valueName: "name",
          description: "project_name of the estate (default: imported)",
        },
        project: {
          type: "string",
          multiple: true,
          valueName: "p",
          description: "Only these Incus projects",
        },
        yes,
        "dry-run": { type: "boolean", description: "Print the YAML; write and label nothing" },
      },
      examples: [["plumb import --out ../lab --name lab --yes", "Adopt what runs on this host"]],
      load: () => import("./commands/import.js"),
    },
    {
      name: "flush",
      summary: "Destroy every Incus object this estate owns and the generated files (--force)",
      description:
        "Deletes owned instances, profiles, projects and bridges (in that order) and the generated Ansible files\n" +
        "(inventory/, group_vars/, host_vars/ files with a managed section). Objects plumb does not own are never\n" +
        "touched and are listed. Requires --force.",
      usage: "plumb flush --force",
      options: { infra: infraOption, force: { type: "boolean", description: "Really destroy" } },
      examples: [["plumb flush --force", "Tear the lab down"]],
      load: () => import("./commands/flush.js"),
    },
    {
      name: "unlock",
      summary: "Remove the apply lock stored in Incus (after confirmation)",
      usage: "plumb unlock [--yes]",
      options: { yes },
      examples: [["plumb unlock", "Shows the holder, asks, removes it"]],
      load: () => import("./commands/unlock.js"),
    },
  ];
}

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}
