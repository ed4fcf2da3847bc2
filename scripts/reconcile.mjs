#!/usr/bin/env node
// The reconcile job (zx), for operators and the merge workflow: recorded, resumable steps
//   checkout → validate → generate-check → plan → compare-reviewed → approvals → freeze-check
//   → apply (lock → pre-apply snapshots → changes, by `plumb apply` of the saved plan) → replan
//   → report → notify
// Each step's status, duration and output are kept in .plumb/runs/<run>/ (reconcile.json and
// steps/<nn>-<step>.log); `--resume <run>` continues after the last completed step. Exit codes
// are in docs/gitops.md (0 converged, 1 error, 2 changes left, 3 plan differs from the reviewed
// one / stale, 4 lock held, 5 change freeze, 6 approvals missing). The approvals step refuses
// before the lock; policies.yml binds as the stricter of the commit's and --policy-base's (default:
// the commit's first parent, i.e. the branch before the merge).
import { randomBytes } from "node:crypto";
import { $, fs, path } from "zx";
import { args, EXIT, STEPS } from "./reconcile-args.mjs";
import { notify as notifyAll } from "./reconcile-notify.mjs";
import { actionable, applyPhases, changesDigest, readPlan } from "./reconcile-plans.mjs";

export { STEPS };

$.verbose = false;
$.quiet = true;
// No stdin for children: bash started with a socket on stdin believes it runs under rshd and
// sources ~/.bashrc (slow, and not ours to run).
$.stdio = ["ignore", "pipe", "pipe"];

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const repo = path.resolve(args.root ?? process.cwd());
const dist = (p) => path.join(ROOT, "dist", p);
if (!fs.existsSync(dist("cli/main.js"))) {
  process.stderr.write("reconcile: dist/ is missing; run `npm run build` first\n");
  process.exit(EXIT.error);
}
const { appendAudit } = await import(dist("core/audit/append.js"));
const { runLogger, logFormat } = await import(dist("core/log/logger.js"));
const { recordMetrics } = await import(dist("core/metrics/prom.js"));
const { writeFileAtomic } = await import(dist("core/io/atomic-write.js"));

// ---- run state -------------------------------------------------------------------------------
const runId =
  args.resume ??
  `${new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}-r${randomBytes(3).toString("hex")}`;
if (!/^[0-9]{8}-[0-9]{6}-r[0-9a-f]{6}$/.test(runId))
  fail(EXIT.error, `--resume: '${runId}' is not a reconcile run id`);
const runDir = path.join(repo, ".plumb", "runs", runId);
const stateFile = path.join(runDir, "reconcile.json");
let state;
if (args.resume) {
  if (!fs.existsSync(stateFile))
    fail(EXIT.error, `--resume ${runId}: no ${path.relative(repo, stateFile)}`);
  state = JSON.parse(fs.readFileSync(stateFile, "utf8"));
} else {
  fs.mkdirSync(path.join(runDir, "steps"), { recursive: true });
  state = {
    run: runId,
    started: new Date().toISOString(),
    options: {
      ref: args.ref ?? null,
      reviewedPlan: args["reviewed-plan"] ? path.resolve(args["reviewed-plan"]) : null,
      unreviewed: Boolean(args.unreviewed),
      allowRestart: Boolean(args["allow-restart"]),
      freezeOverride: args["freeze-override"] ?? null,
      webhook: args.webhook ?? process.env.PLUMB_WEBHOOK_URL ?? null,
      repo: args.repo ?? null,
      pr: args.pr ?? null,
      lockTimeout: args["lock-timeout"] ?? process.env.PLUMB_LOCK_TIMEOUT ?? "0",
      policyBase: args["policy-base"] ?? null,
    },
    steps: Object.fromEntries(STEPS.map((s) => [s, { status: "pending" }])),
    facts: {},
  };
}
const o = state.options;
const log = runLogger(runId, {
  format: logFormat(args["log-format"], process.env),
  component: "reconcile",
});

async function save() {
  await writeFileAtomic(stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

function fail(code, message) {
  process.stderr.write(`reconcile: ${message}\n`);
  process.exit(code);
}

class StepError extends Error {
  constructor(code, message) {
    super(message);
    this.exitCode = code;
  }
}

const plumbBin = dist("cli/main.js");
/** Runs `plumb …` in the repository; output goes to the step's log. Never throws on exit codes. */
async function plumb(step, ...cmd) {
  const r = await $({
    cwd: repo,
    nothrow: true,
    env: { ...process.env, NO_COLOR: "1" },
  })`${process.execPath} ${plumbBin} ${cmd}`;
  fs.appendFileSync(
    stepLog(step),
    `$ plumb ${cmd.join(" ")}\n${r.stdout}${r.stderr}[exit ${r.exitCode}]\n`,
  );
  return r;
}
const stepLog = (step) =>
  path.join(runDir, "steps", `${String(STEPS.indexOf(step) + 1).padStart(2, "0")}-${step}.log`);
const planFile = path.join(runDir, "plan.json");
/** The applied plan: the reviewed one when given (its approvals are on it), else the run's. */
const appliedPlanFile = () => o.reviewedPlan ?? planFile;
/** policies.yml at this commit binds too (the stricter of it and the checked-out one applies). */
const policyArgs = () => (state.facts.policyBase ? ["--policy-base", state.facts.policyBase] : []);
/** The PR whose approving reviews count (needs a token to read them). */
const reviewArgs = () =>
  o.pr && process.env.GITHUB_TOKEN
    ? ["--pr", String(o.pr), ...(o.repo ? ["--repo", o.repo] : [])]
    : [];

// ---- the steps -------------------------------------------------------------------------------
const run = {
  async checkout(step) {
    const head = (await $({ cwd: repo, nothrow: true })`git rev-parse HEAD`).stdout.trim();
    if (o.ref && head !== o.ref) {
      const r = await $({ cwd: repo, nothrow: true })`git checkout --detach ${o.ref}`;
      fs.appendFileSync(stepLog(step), r.stdout + r.stderr);
      if (r.exitCode !== 0) throw new StepError(EXIT.error, `cannot check out ${o.ref}`);
    }
    const dirty = (
      await $({ cwd: repo, nothrow: true })`git status --porcelain --untracked-files=no`
    ).stdout.trim();
    if (dirty) throw new StepError(EXIT.error, `the working tree is not clean:\n${dirty}`);
    state.facts.commit = (await $({ cwd: repo, nothrow: true })`git rev-parse HEAD`).stdout.trim();
    // The policy before this commit binds too: a merge cannot lower the bar it is judged by.
    state.facts.policyBase =
      o.policyBase ??
      ((
        await $({
          cwd: repo,
          nothrow: true,
        })`git rev-parse --verify -q ${`${state.facts.commit}^1`}`
      ).stdout.trim() ||
        null);
    return `at ${state.facts.commit}${state.facts.policyBase ? `; policy base ${state.facts.policyBase.slice(0, 12)}` : ""}`;
  },
  async validate(step) {
    const r = await plumb(step, "validate");
    if (r.exitCode !== 0) throw new StepError(EXIT.error, "the estate does not validate");
  },
  async "generate-check"(step) {
    const r = await plumb(step, "generate", "--check");
    if (r.exitCode !== 0)
      throw new StepError(EXIT.error, "generated files are stale (plumb generate)");
  },
  async plan(step) {
    const r = await plumb(step, "plan", "--detailed-exitcode", "--out", planFile);
    if (r.exitCode !== 0 && r.exitCode !== 2) throw new StepError(EXIT.error, "plan failed");
    const plan = readPlan(planFile);
    state.facts.estate = plan.owner;
    state.facts.digest = plan.digest;
    state.facts.changes = actionable(plan).length;
    return `${state.facts.changes} change(s), digest ${plan.digest}`;
  },
  async "compare-reviewed"() {
    if (!o.reviewedPlan) {
      if (!o.unreviewed)
        throw new StepError(
          EXIT.stale,
          "no reviewed plan given (--reviewed-plan <file>, or --unreviewed to go on without one)",
        );
      return "skipped: --unreviewed";
    }
    const fresh = changesDigest(readPlan(planFile));
    const reviewed = changesDigest(readPlan(o.reviewedPlan));
    state.facts.reviewedDigest = readPlan(o.reviewedPlan).digest;
    if (fresh !== reviewed)
      throw new StepError(
        EXIT.stale,
        `the plan after merge differs from the reviewed plan (${reviewed.slice(0, 19)}… reviewed, ${fresh.slice(0, 19)}… now)`,
      );
    return `same changes as the reviewed plan ${state.facts.reviewedDigest}`;
  },
  async approvals(step) {
    // Refused here, before the lock, with who may approve and how many more; plumb apply counts
    // them again (the same policy, keyring and reviews) before it changes anything.
    if (state.facts.changes === 0) return "nothing to apply: no approvals needed";
    const r = await plumb(
      step,
      "approve",
      appliedPlanFile(),
      "--check",
      "--json",
      ...policyArgs(),
      ...reviewArgs(),
    );
    let v = {};
    try {
      v = JSON.parse(r.stdout);
    } catch {}
    const by = (v.approvers ?? []).map((a) => a.principal);
    state.facts.approvers = by;
    if (r.exitCode === 0 && v.ok === true)
      return v.required > 0
        ? `approved by ${by.join(", ")} (${by.length} of ${v.required} required)`
        : "no approvals required by policies.yml";
    if (v.error)
      throw new StepError(
        EXIT.approvals,
        `${v.error.message}${v.error.hint ? ` — ${v.error.hint}` : ""}`,
      );
    throw new StepError(EXIT.error, "the approvals could not be checked (see the step log)");
  },
  async "freeze-check"(step) {
    const r = await plumb(step, "freeze", "--json", ...policyArgs());
    if (r.exitCode === 0) return "no change freeze";
    let verdict = {};
    try {
      verdict = JSON.parse(r.stdout);
    } catch {}
    if (verdict.frozen !== true)
      throw new StepError(
        EXIT.error,
        "the change-freeze policy could not be read (see the step log)",
      );
    if (o.freezeOverride)
      return `change freeze in force; override requested: ${o.freezeOverride} (checked by plumb apply)`;
    throw new StepError(
      EXIT.frozen,
      `change freeze in force: ${verdict.active.map((a) => `${a.reason} until ${a.until}`).join("; ")}`,
    );
  },
  async apply(step) {
    if (state.facts.changes === 0) return "nothing to apply";
    let file = appliedPlanFile();
    if (state.steps.apply.attempts > 1) {
      // Resumed after a crash mid-apply: what is left must be part of what was planned.
      const again = path.join(runDir, `plan-resume-${state.steps.apply.attempts}.json`);
      const r = await plumb(step, "plan", "--detailed-exitcode", "--out", again);
      if (r.exitCode === 0) return "already converged (resumed)";
      if (r.exitCode !== 2) throw new StepError(EXIT.error, "re-plan on resume failed");
      const planned = new Set(actionable(readPlan(planFile)).map((c) => `${c.id} ${c.action}`));
      const stray = actionable(readPlan(again)).filter(
        (c) => !planned.has(`${c.id} ${c.action}`) && !planned.has(`${c.id} create`),
      );
      if (stray.length > 0)
        throw new StepError(
          EXIT.stale,
          `on resume the plan holds changes that were not in the run's plan: ${stray.map((c) => c.id).join(", ")}`,
        );
      file = again;
    }
    const flags = [
      "--yes",
      "--json",
      "--lock-timeout",
      String(o.lockTimeout),
      ...policyArgs(),
      ...reviewArgs(),
    ];
    if (o.allowRestart) flags.push("--allow-restart");
    if (o.freezeOverride) flags.push("--freeze-override", o.freezeOverride);
    const r = await plumb(step, "apply", file, ...flags);
    let report = {};
    try {
      report = JSON.parse(r.stdout);
    } catch {}
    state.facts.applyRun = report.run ?? null;
    state.facts.done = (report.results ?? []).filter((x) => x.status === "done").length;
    state.facts.failed = (report.results ?? []).filter((x) => x.status === "failed").length;
    state.facts.snapshot = report.snapshot ?? null;
    // lock → snapshots → changes happen in that one process (docs/reconcile.md says why); each
    // phase is recorded here from the apply's journal.
    const phases = applyPhases(repo, report.run);
    if (phases) state.steps.apply.phases = [...(state.steps.apply.phases ?? []), phases];
    if (r.exitCode === 3)
      throw new StepError(EXIT.stale, "live Incus moved since the plan (exit 3)");
    if (r.exitCode === 4) throw new StepError(EXIT.locked, "another apply holds the lock (exit 4)");
    if (r.exitCode === 1)
      throw new StepError(EXIT.error, `apply failed: ${r.stderr.trim().split("\n").at(-2) ?? ""}`);
    return `apply run ${state.facts.applyRun}: ${state.facts.done} done, ${state.facts.failed} failed${state.facts.snapshot ? `, snapshot ${state.facts.snapshot}` : ""}`;
  },
  async replan(step) {
    const again = path.join(runDir, "replan.json");
    const r = await plumb(step, "plan", "--detailed-exitcode", "--out", again);
    if (r.exitCode === 1) throw new StepError(EXIT.error, "re-plan failed");
    state.facts.remaining = r.exitCode === 2 ? actionable(readPlan(again)).length : 0;
    if (state.facts.remaining > 0)
      throw new StepError(
        EXIT.changes,
        `re-plan is not empty: ${state.facts.remaining} change(s) left`,
      );
    return "re-plan is empty: live Incus matches the estate";
  },
  async report(step) {
    const anchor = await plumb(step, "audit", "anchor");
    const verify = await plumb(step, "audit", "verify");
    if (verify.exitCode !== 0) throw new StepError(EXIT.error, "the audit chain does not verify");
    const result = resultOf(true);
    await writeFileAtomic(
      path.join(runDir, "reconcile-result.json"),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    return `audit verified${anchor.exitCode === 0 ? " and anchored" : " (anchor not moved)"}`;
  },
  async notify(step) {
    return notify(step, resultOf(true));
  },
};

function resultOf(ok, error) {
  return {
    run: runId,
    ok,
    estate: state.facts.estate ?? null,
    commit: state.facts.commit ?? null,
    digest: state.facts.digest ?? null,
    done: state.facts.done ?? 0,
    failed: state.facts.failed ?? 0,
    remaining: state.facts.remaining ?? null,
    snapshot: state.facts.snapshot ?? null,
    ...(error ? { error } : {}),
  };
}

/** Webhook and PR comment (scripts/reconcile-notify.mjs). */
const notify = (step, result) =>
  notifyAll(
    {
      options: o,
      planFile,
      runDir,
      plumb,
      writeFileAtomic,
      failure: (message) => new StepError(EXIT.error, message),
    },
    step,
    result,
  );

// ---- the runner ------------------------------------------------------------------------------
const audit = (payload, priority = "P3") => {
  try {
    appendAudit(repo, { type: "reconcile.step", priority, payload: { run: runId, ...payload } });
  } catch (e) {
    log.error({ err: e.message }, "audit append failed");
    throw new StepError(EXIT.error, `audit: ${e.message}`);
  }
};

let exitCode = EXIT.ok;
let failedAt;
for (const step of STEPS) {
  const s = state.steps[step];
  if (s.status === "done" || s.status === "skipped") continue;
  s.status = "running";
  s.started = new Date().toISOString();
  s.attempts = (s.attempts ?? 0) + 1;
  await save();
  log.info({ step, attempt: s.attempts }, `step ${step} started`);
  const t0 = Date.now();
  try {
    const note = (await run[step](step)) ?? "";
    s.status = note.startsWith("skipped") ? "skipped" : "done";
    s.note = note;
  } catch (e) {
    s.status = "failed";
    s.note = e.message;
    exitCode = e instanceof StepError ? e.exitCode : EXIT.error;
    failedAt = step;
  }
  s.ended = new Date().toISOString();
  s.ms = Date.now() - t0;
  s.log = path.relative(runDir, stepLog(step));
  await save();
  audit({ step, status: s.status, ms: s.ms, note: s.note }, s.status === "failed" ? "P1" : "P3");
  (s.status === "failed" ? log.error.bind(log) : log.info.bind(log))(
    { step, status: s.status, ms: s.ms },
    s.note,
  );
  process.stderr.write(
    `${s.status === "failed" ? "✗" : s.status === "skipped" ? "–" : "✓"} ${step} (${(s.ms / 1000).toFixed(1)}s) ${s.note}\n`,
  );
  if (s.status === "failed") break;
}

if (failedAt !== undefined && failedAt !== "notify") {
  // Tell the webhook about a failure too (best effort; its own failure does not change the exit code).
  await notify(
    "notify",
    resultOf(false, { step: failedAt, message: state.steps[failedAt].note }),
  ).catch(() => {});
}
try {
  recordMetrics(repo, {
    job: "reconcile",
    estate: state.facts.estate ?? "unknown",
    ok: exitCode === EXIT.ok,
    at: new Date(),
    steps: Object.fromEntries(
      STEPS.filter((s) => state.steps[s].ms !== undefined).map((s) => [
        s,
        state.steps[s].ms / 1000,
      ]),
    ),
    applied: exitCode === EXIT.ok && (state.facts.done ?? 0) > 0,
  });
} catch (e) {
  log.warn({ err: e.message }, "metrics not written");
}
// Anchor the head once more, so that even the job's last audit entries cannot be cut off unseen.
await $({
  cwd: repo,
  nothrow: true,
  env: { ...process.env, NO_COLOR: "1" },
})`${process.execPath} ${plumbBin} audit anchor`;
process.stderr.write(
  `reconcile run ${runId}: ${exitCode === 0 ? "converged" : `failed at ${failedAt} (exit ${exitCode}); resume with --resume ${runId}`}\n`,
);
process.exit(exitCode);
