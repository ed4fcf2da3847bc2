// Command entries for the GitOps loop: audit, drift, pr.
import type { CommandSpec } from "../spec.js";
import { infraOption } from "./options.js";

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
];
