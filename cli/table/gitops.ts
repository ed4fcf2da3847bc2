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
];
