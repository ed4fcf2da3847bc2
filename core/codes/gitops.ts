// The GitOps loop: audit trail, PR comments, drift, change freeze, reconcile job, metrics: PLB940–PLB969.
import type { CodeInfo } from "./code-info.js";

export const GITOPS_CODES = {
  PLB940: {
    title: "audit log tampered",
    help: "An entry of .plumb/audit/audit.jsonl does not hash to what it says, or does not follow the entry before it (edited, inserted, deleted or reordered). `plumb audit verify` names the first bad entry; restore the log from a backup and investigate who changed it.",
  },
  PLB941: {
    title: "audit log busy",
    help: "Another plumb process held the audit log's lock file (.plumb/audit/audit.lock) for too long. Retry; if no plumb process runs, the lock is removed automatically once its process is gone.",
  },
  PLB942: {
    title: "audit log truncated",
    help: "The chain head anchored in Incus (`user.plumb.audit_head.<estate>` on the default project) is not in the local log: entries were deleted or the log was rewritten. Restore .plumb/audit/ from a backup.",
  },
  PLB943: {
    title: "audit entry invalid",
    help: "An audit event was refused before it was written: its type, priority or payload is not valid (payloads are plain JSON data).",
  },
  PLB944: {
    title: "audit log unreadable",
    help: "The audit log or its anchor could not be read or written (permissions, disk full, Incus unreachable). Nothing was half-written; fix the cause and retry.",
  },
  PLB945: {
    title: "GitHub API call failed",
    help: "A call to the GitHub API failed; the message gives the HTTP status. Check GITHUB_TOKEN and its permissions, GITHUB_API_URL (GitHub Enterprise: https://<host>/api/v3) and the repository and PR number.",
  },
  PLB946: {
    title: "GitHub context missing",
    help: "`plumb pr comment` needs GITHUB_TOKEN, a repository (--repo or GITHUB_REPOSITORY) and a PR number (--pr or the pull_request event in GITHUB_EVENT_PATH).",
  },
  PLB950: {
    title: "change freeze in force",
    help: 'infra/policies.yml declares a change_freeze window covering now: apply and the reconcile job change nothing. Wait for its end, or break it in an emergency with --freeze-override "<why>" on a saved plan holding the override_approvals number of approvals (a P0 audit event records it).',
  },
  PLB951: {
    title: "change freeze policy invalid",
    help: "change_freeze in infra/policies.yml is malformed; the message gives file:line:column. Windows are {reason, from, until} (ISO times with a zone) or {reason, cron (5 fields, UTC), duration (90m, 10h, 2d)}.",
  },
  PLB952: {
    title: "freeze override refused",
    help: "An emergency override of a change freeze needs a reason and the policy's override_approvals distinct approvals of the saved plan (`plumb approve`). The refusal is recorded in the audit trail.",
  },
} as const satisfies Record<string, CodeInfo>;
