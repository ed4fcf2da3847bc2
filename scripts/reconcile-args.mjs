// The reconcile job's command line (scripts/reconcile.mjs): its options, its steps in order, its
// exit codes and its --help text.
import { minimist } from "zx";

export const args = minimist(process.argv.slice(2), {
  string: [
    "ref",
    "reviewed-plan",
    "resume",
    "freeze-override",
    "webhook",
    "repo",
    "pr",
    "lock-timeout",
    "log-format",
    "root",
    "policy-base",
  ],
  boolean: ["unreviewed", "allow-restart", "help"],
  alias: { h: "help" },
});

export const STEPS = [
  "checkout",
  "validate",
  "generate-check",
  "plan",
  "compare-reviewed",
  "approvals",
  "freeze-check",
  "apply",
  "replan",
  "report",
  "notify",
];
/** The job's exit codes: plumb's own (core/errors.ts ExitCode) plus 5 for a change freeze. */
export const EXIT = { ok: 0, error: 1, changes: 2, stale: 3, locked: 4, frozen: 5, approvals: 6 };

if (args.help) {
  process.stdout.write(`usage: scripts/reconcile.mjs [--ref <commit>] [--reviewed-plan <plan.json> | --unreviewed]
                          [--resume <run>] [--allow-restart] [--freeze-override <why>]
                          [--webhook <url>] [--repo owner/name --pr N] [--lock-timeout s] [--log-format json]
                          [--policy-base <ref>]
Steps: ${STEPS.join(" → ")}
Exit: 0 converged or nothing to do, 1 error, 2 changes left, 3 plan differs from the reviewed one or stale,
      4 apply lock held, 5 change freeze, 6 approvals missing (refused before the lock).
      State and step logs: .plumb/runs/<run>/.
--policy-base: policies.yml there binds too (the stricter applies); default: the first parent of the commit.
--pr: the PR's approving reviews by approvals.github_reviewers count (GITHUB_TOKEN).
Examples:
  node scripts/reconcile.mjs --reviewed-plan plan.json --pr 42
  node scripts/reconcile.mjs --unreviewed --policy-base origin/main
  node scripts/reconcile.mjs --resume 20261129-021500-r1a2b3c
`);
  process.exit(0);
}
