// Command entries for the GitOps loop: audit, drift, pr.
import type { CommandSpec, OptionSpec } from "../spec.js";
import { infraOption } from "./options.js";

/** `--policy-base <ref>`: the base branch's policies.yml also binds (the stricter applies). */
export const POLICY_BASE_OPTION: OptionSpec = {
  type: "string",
  multiple: true,
  valueName: "ref",
  description:
    "Also read infra/policies.yml at this commit (a PR's base); the stricter policy applies — besides the plan's own git base (also PLUMB_POLICY_BASE)",
};

/** `--pr N [--repo owner/name]`: approving reviews by approvals.github_reviewers count. */
export const REVIEW_OPTIONS: Record<string, OptionSpec> = {
  pr: {
    type: "string",
    valueName: "N",
    description:
      "Count approving reviews of this pull request by approvals.github_reviewers (on the plan's commit; GITHUB_TOKEN, GITHUB_API_URL)",
  },
  repo: {
    type: "string",
    valueName: "owner/name",
    description: "Repository of --pr (default: GITHUB_REPOSITORY)",
  },
};

export const GITOPS_COMMANDS: readonly CommandSpec[] = [
  {
    name: "audit",
    summary:
      "Verify and show the audit trail (.plumb/audit/, hash-chained, head anchored in Incus)",
    description:
      "Every plan, approval, lock, snapshot, apply step, rollback, contract run, refusal and freeze override is\n" +
      "appended to .plumb/audit/audit.jsonl as a hash-chained JSON line. verify: recomputes the chain and checks\n" +
      "that the head anchored in Incus (user.plumb.audit_head.<estate> on the default project) is still in the log;\n" +
      "names the first bad entry and exits 1. show: the entries, filtered. anchor: moves the Incus anchor to the\n" +
      "log's head (apply and the reconcile job do this themselves).",
    usage:
      "plumb audit verify [--offline] | plumb audit show [--since 24h|<time>] [--type <t>] [--priority P0-P3] | plumb audit anchor",
    positionals: { min: 1, max: 1 },
    options: {
      infra: infraOption,
      estate: {
        type: "string",
        valueName: "name",
        description: "Estate whose anchor is read (default: project_name of the infra)",
      },
      offline: {
        type: "boolean",
        description: "verify: do not read the anchor from Incus (a truncated log then passes)",
      },
      since: {
        type: "string",
        valueName: "when",
        description: "show: entries from this time (ISO) or this long ago (30m, 24h, 7d)",
      },
      type: {
        type: "string",
        multiple: true,
        valueName: "type",
        description: "show: only these types (apply matches apply.start, apply.step, apply.end)",
      },
      priority: {
        type: "string",
        valueName: "P",
        description: "show: this priority and more urgent (P1 shows P0 and P1)",
      },
    },
    examples: [
      [
        "plumb audit verify",
        "Check the chain and its anchored head; exit 1 naming the first bad entry",
      ],
      ["plumb audit show --since 24h --type apply", "Yesterday's applies"],
      ["plumb audit show --priority P0 --json", "Every freeze override, as JSON"],
    ],
    load: () => import("../commands/audit.js"),
  },
  {
    name: "pr",
    summary:
      "Post the plan as the one sticky comment of a pull request (GitHub, GitHub Enterprise)",
    description:
      "comment <plan.json>: renders the saved plan (summary line, a <details> block per domain, a Mermaid picture;\n" +
      "secret values masked) and creates or updates plumb's comment on the PR, found by a hidden marker written by\n" +
      "the same account. Plans longer than a comment are split into ordered parts; parts no longer needed are deleted.\n" +
      "GITHUB_TOKEN authenticates; GITHUB_API_URL selects the API (GitHub Enterprise: https://<host>/api/v3);\n" +
      "repository and PR from --repo/--pr, else GITHUB_REPOSITORY and the event file (GITHUB_EVENT_PATH).",
    usage:
      "plumb pr comment <plan.json> [--repo owner/name] [--pr N] [--applied result.json] [--dry-run]",
    positionals: { min: 2, max: 2 },
    options: {
      repo: {
        type: "string",
        valueName: "owner/name",
        description: "Repository (default: GITHUB_REPOSITORY)",
      },
      pr: {
        type: "string",
        valueName: "N",
        description: "Pull request number (default: from GITHUB_EVENT_PATH)",
      },
      applied: {
        type: "string",
        valueName: "file",
        description:
          "A reconcile result (.plumb/runs/<run>/reconcile-result.json): adds the applied outcome",
      },
      "policy-base": POLICY_BASE_OPTION,
      "bot-login": {
        type: "string",
        valueName: "login",
        description:
          "Account whose comments are ours (default: the token's user, else github-actions[bot])",
      },
      "dry-run": {
        type: "boolean",
        description: "Print the comment parts instead of posting them",
      },
    },
    examples: [
      ["plumb plan --out plan.json && plumb pr comment plan.json", "In a pull_request workflow"],
      ["plumb pr comment plan.json --repo acme/infra --pr 42", "From a laptop (GITHUB_TOKEN set)"],
      [
        "GITHUB_API_URL=https://ghe.acme.test/api/v3 plumb pr comment plan.json",
        "GitHub Enterprise",
      ],
      ["plumb pr comment plan.json --dry-run", "See the comment without posting it"],
    ],
    load: () => import("../commands/pr.js"),
  },
  {
    name: "drift",
    summary:
      "Report live Incus objects that differ from the declared estate (read-only; exit 2 on drift)",
    description:
      "A read-only plan, reported per object: what differs (fields, secret values masked), whether it was changed\n" +
      "outside plumb since the last apply, orphans. Exit 0 no drift, 2 drift, 1 error. Records a `drift` audit event\n" +
      "and plumb_drifted_objects in .plumb/metrics/plumb.prom. The scheduled workflow runs it.",
    usage: "plumb drift [--json] [--limit <domain>]",
    options: {
      infra: infraOption,
      limit: {
        type: "string",
        multiple: true,
        valueName: "domain",
        description: "Only these domains",
      },
      "image-map": {
        type: "string",
        multiple: true,
        valueName: "from=to",
        description: "As for plan",
      },
      "bridge-addresses": {
        type: "string",
        valueName: "mode",
        choices: ["declared", "none"],
        description: "As for plan",
      },
    },
    examples: [
      ["plumb drift", "What changed behind plumb's back; exit 2 if anything"],
      ["plumb drift --json > drift.json", "The per-object report for a scheduled job"],
    ],
    load: () => import("../commands/drift.js"),
  },
  {
    name: "freeze",
    summary: "Show whether a change freeze (policies.yml change_freeze) is in force",
    description:
      "Evaluates the change_freeze windows of infra/policies.yml ({reason, from, until} or {reason, cron, duration}, UTC)\n" +
      "now or at --at. Exit 0 when changes may go ahead, 1 (PLB950) inside a freeze. apply and the reconcile job refuse\n" +
      'inside a freeze unless --freeze-override "<why>" is given with override_approvals approvals on the plan.',
    usage: "plumb freeze [--at <time>] [--policy-base <ref>] [--json]",
    options: {
      "policy-base": POLICY_BASE_OPTION,
      at: {
        type: "string",
        valueName: "time",
        description: "Evaluate at this ISO time instead of now",
      },
    },
    examples: [
      ["plumb freeze", "Is a freeze in force now?"],
      ["plumb freeze --at 2026-12-24T12:00:00Z", "Check a date ahead"],
      ["plumb freeze --policy-base origin/main", "Windows of this branch and of main, together"],
    ],
    load: () => import("../commands/freeze.js"),
  },
];
