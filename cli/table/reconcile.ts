// Command entries for Incus: plan, apply, snapshot, import, flush, unlock.

import { SIGNER_OPTIONS } from "../signer-options.js";
import type { CommandSpec, OptionSpec } from "../spec.js";
import { POLICY_BASE_OPTION, REVIEW_OPTIONS } from "./gitops.js";
import { infraOption } from "./options.js";

/** `--lock-timeout`: every command that changes Incus takes the apply lock. */
const lockTimeoutOption: OptionSpec = {
  type: "string",
  valueName: "s",
  description:
    "Wait up to this many seconds for another run's apply lock (default 0; also PLUMB_LOCK_TIMEOUT)",
};

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
    "no-targets": {
      type: "boolean",
      description:
        "Do not connect to `type: server` machines to read what they last ran: their contracts are planned as runs (reason `not read (--no-targets)`)",
    },
  };
}

export function reconcileCommands(): CommandSpec[] {
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
        "--out saves the plan (versioned JSON with the observed hash of every object read, git head/base, whether\n" +
        "infra/ and templates/ were committed, the risks that need approvals, and a digest) for `plumb apply plan.json`.\n" +
        "Changes that let an instance reach the host (raw.*, privileged, host-path disks, passthrough, physical/macvlan\n" +
        "NICs) are marked HOST ACCESS. --changed-since <ref> plans only the domains whose files changed since the merge\n" +
        "base with <ref> (every domain when base.yml or policies.yml changed).\n" +
        "Exit 0; with --detailed-exitcode 0 no changes, 1 error, 2 changes. Conflicts exit 1.",
      usage:
        "plumb plan [--format human|json|markdown] [--detailed-exitcode] [--limit <domain> | --changed-since <ref>] [--out plan.json]",
      options: {
        ...planningOptions(),
        "changed-since": {
          type: "string",
          valueName: "ref",
          description:
            "Plan only the domains whose infra files changed since the merge base with <ref> (and uncommitted)",
        },
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
        "policy-base": POLICY_BASE_OPTION,
      },
      examples: [
        ["plumb plan", "What would change on the local Incus"],
        [
          "plumb plan --no-targets",
          "Without SSH to servers (CI): their contracts show as runs, instances' as usual",
        ],
        [
          "plumb plan --detailed-exitcode --format markdown > plan.md",
          "In CI: a PR comment; exit 2 on changes",
        ],
        [
          "plumb plan --out plan.json && plumb apply plan.json",
          "Review, then apply exactly that plan",
        ],
        ["plumb plan --image-map images:debian/13=plumb-busybox", "On an offline site"],
        [
          "plumb plan --changed-since origin/main --out plan.json",
          "In a PR: only the domains it touches",
        ],
      ],
      load: () => import("../commands/plan.js"),
    },
    {
      name: "apply",
      summary: "Apply a plan to Incus: lock, pre-apply snapshots, changes in order, re-plan",
      description:
        "Without a file: plans, shows the plan and asks (--yes for scripts). With a saved plan: checks it belongs to\n" +
        "this estate and plumb version, that HEAD is its commit (or a descendant leaving infra/ and templates/ unchanged)\n" +
        "and the tree is clean, re-derives it from the repository and live Incus and refuses unless it is the same plan\n" +
        "change for change (exit 3). Refuses a plan lacking the approvals policies.yml requires (`plumb approve`).\n" +
        "Then re-reads every object the plan read under the lock (exit 3 if anything moved). Takes the lock stored in Incus\n" +
        "(exit 4 if held), snapshots every existing instance the plan touches as pre-apply-YYYYMMDD-HHMMSS (keeps the\n" +
        "newest --keep per instance), applies in dependency order with bounded parallelism, journals every step in\n" +
        ".plumb/runs/<run-id>/ and re-plans. Then, under the same lock and only if every change succeeded, delivers the\n" +
        "plan's contract runs: forged and signed in memory with --sign-key (or site.yml signing.keys; they must reach\n" +
        "the keyring's contract threshold, checked before any change), sent to each machine (Incus API or SSH), verified\n" +
        "and run there by plumb-verify, journaled in .plumb/journal/ (`plumb contracts status`; docs/delivery.md).\n" +
        "Exit 0 converged, 1 failure (a change or a contract run), 2 changes left (e.g. restarts not allowed).",
      usage:
        "plumb apply [plan.json] [--yes] [--allow-restart] [--allow-dirty] [--no-snapshot] [--keep N] [--limit <domain>] [--parallelism N] [--sign-key <file>…] [--contract-parallelism N] [--contract-timeout S]",
      positionals: { min: 0, max: 1 },
      options: {
        ...planningOptions(),
        yes,
        "allow-dirty": {
          type: "boolean",
          description:
            "Accept a saved plan made, or applied, with uncommitted changes in infra/ or templates/",
        },
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
        "lock-timeout": lockTimeoutOption,
        "freeze-override": {
          type: "string",
          valueName: "why",
          description:
            "Apply inside a change freeze (emergency): needs change_freeze.override_approvals approvals on the plan; audited P0",
        },
        "log-format": {
          type: "string",
          valueName: "fmt",
          choices: ["json", "off"],
          description:
            "json: pino JSON log lines on stderr, one per step, with the run id (also PLUMB_LOG_FORMAT; level PLUMB_LOG_LEVEL)",
        },
        "allow-renumber": {
          type: "boolean",
          description:
            "Apply a plan that moves existing addresses away from addresses.lock.yml (refused otherwise)",
        },
        "sign-key": {
          type: "string",
          multiple: true,
          valueName: "file",
          description:
            "Sign delivered contracts with this OpenSSH Ed25519 private key (repeatable; default: site.yml signing.keys)",
        },
        "contract-parallelism": {
          type: "string",
          valueName: "n",
          description:
            "Machines receiving contracts at once (default 8; one machine's contracts run in order)",
        },
        "contract-timeout": {
          type: "string",
          valueName: "s",
          description:
            "Seconds one contract run (verifier + contract) may take on its target (default 300)",
        },
        "policy-base": POLICY_BASE_OPTION,
        ...REVIEW_OPTIONS,
      },
      examples: [
        ["plumb apply", "Plan, confirm, apply"],
        [
          "plumb apply --yes --sign-key ~/.config/plumb/keys/id_ed25519",
          "Apply, then deliver the declared contracts signed with your key",
        ],
        [
          "plumb apply --yes --sign-key a.key --sign-key b.key --contract-timeout 900",
          "A contract threshold of two, and slow package installs",
        ],
        ["plumb apply --allow-renumber --yes", "Apply a deliberate subnet_id/ip change"],
        ["plumb apply plan.json --yes", "Apply a reviewed plan (refused if stale)"],
        ["plumb apply --allow-restart --yes", "Also apply changes that restart running instances"],
        [
          "plumb apply plan.json --yes --policy-base origin/main --pr 42",
          "After merge: main's policy binds too; approving reviews of PR 42 count",
        ],
      ],
      load: () => import("../commands/apply.js"),
    },
    {
      name: "approve",
      summary: "Approve a saved plan: add an SSHSIG signature over its digest by an approver key",
      description:
        "Checks the plan file (format, digest), signs its digest with a key holding the keyring's `approver` role\n" +
        "(namespace plumb-plan-approval-v1@<org>) and adds the approval to the file (outside the digest it signs).\n" +
        "Then says how many approvals the plan has and how many policies.yml requires (approvals.required per risk:\n" +
        "delete, replace, restart, delete_protected, high_risk_contract, host_access, any). Approvals count over\n" +
        "distinct keys; revoked keys, keys without the role and signatures over another digest do not count.\n" +
        "With --pr N, approving reviews of that PR by approvals.github_reviewers count too (the latest review of each\n" +
        "listed login, APPROVED on the plan's commit, not by the PR's author). The policy is the stricter of\n" +
        "infra/policies.yml here and at the plan's git base / --policy-base. --check signs nothing and exits 1 when short.",
      usage:
        "plumb approve <plan.json> (--key <file> | --agent [--fingerprint SHA256:…]) [--json] | plumb approve <plan.json> --check [--pr N] [--policy-base <ref>]",
      positionals: { min: 1, max: 1 },
      options: {
        ...SIGNER_OPTIONS,
        check: {
          type: "boolean",
          description:
            "Sign nothing: count the plan's approvals (and --pr reviews) against the policy; exit 1 (PLB920/PLB921) when short, saying who may approve",
        },
        "policy-base": POLICY_BASE_OPTION,
        ...REVIEW_OPTIONS,
      },
      examples: [
        ["plumb approve plan.json --key ~/.ssh/id_ed25519", "Approve with a key file"],
        ["plumb approve plan.json --agent", "Approve with the key in ssh-agent"],
        ["plumb approve plan.json --agent --json", "Machine-readable approval status"],
        [
          "plumb approve plan.json --check --pr 42 --policy-base origin/main",
          "Does the plan have what it needs? (the reconcile job's approvals step)",
        ],
      ],
      load: () => import("../commands/approve.js"),
    },
    {
      name: "snapshot",
      summary: "Instance snapshots (create/restore/list/delete) and pre-apply rollback",
      description:
        "create|restore|delete <instance|self> [name] — snap-YYYYMMDD-HHMMSS by default; only instances of this estate\n" +
        "(others: PLB632), under the apply lock; the project is found by the instance name; `self` is this machine's\n" +
        "hostname; restoring yourself asks first (--force skips).\n" +
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
        "lock-timeout": lockTimeoutOption,
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
      load: () => import("../commands/snapshot.js"),
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
      load: () => import("../commands/import.js"),
    },
    {
      name: "flush",
      summary: "Destroy every Incus object this estate owns and the generated files (--force)",
      description:
        "Deletes owned instances, profiles, projects and bridges (in that order) and the generated Ansible files\n" +
        "(inventory/, group_vars/, host_vars/ files with a managed section). Objects plumb does not own are never\n" +
        "touched and are listed. Requires --force.",
      usage: "plumb flush --force",
      options: {
        infra: infraOption,
        force: { type: "boolean", description: "Really destroy" },
        "lock-timeout": lockTimeoutOption,
      },
      examples: [
        ["plumb flush --force", "Tear the lab down"],
        ["plumb flush --force --lock-timeout 120", "Wait up to 2 minutes for a running apply"],
      ],
      load: () => import("../commands/flush.js"),
    },
    {
      name: "unlock",
      summary: "Remove the apply lock stored in Incus (after confirmation)",
      usage: "plumb unlock [--yes]",
      options: { yes },
      examples: [["plumb unlock", "Shows the holder, asks, removes it"]],
      load: () => import("../commands/unlock.js"),
    },
  ];
}
