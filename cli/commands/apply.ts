// `plumb apply [plan.json]`: without a file, plan and ask; with a saved plan, apply exactly it
// (refused before the first change if anything moved). Lock in Incus, pre-apply snapshots,
// waves with bounded concurrency, a journal in .plumb/runs/<run-id>/, then a re-plan.
import { randomBytes } from "node:crypto";
import { assertApproved } from "../../core/approvals/approvals.js";
import { anchorAudit } from "../../core/audit/anchor.js";
import { auditedJournal, auditFailure } from "../../core/audit/hooks.js";
import { ExitCode, PlumbError, UsageError } from "../../core/errors.js";
import { assertNotFrozen, freezeOverride } from "../../core/freeze/guard.js";
import { PreApplyState, RunJournal, timestamp } from "../../core/io/plumb-state.js";
import { logFormat, runLogger } from "../../core/log/logger.js";
import type { Estate } from "../../core/model/estate.js";
import { withSecrets } from "../../core/redact/plan-secrets.js";
import type { ChangeResult } from "../../reconcilers/apply/engine.js";
import { type ApplyReport, runApply } from "../../reconcilers/apply/run-apply.js";
import { settleOperations } from "../../reconcilers/apply/settle.js";
import type { DeliveryResult } from "../../reconcilers/delivery/deliver.js";
import { releaseStaleLock } from "../../reconcilers/lock/incus-lock.js";
import { processLockEnv } from "../../reconcilers/lock/process-env.js";
import { type Change, isActionable } from "../../reconcilers/model.js";
import { type PlanDocument, summarize } from "../../reconcilers/plan/plan-document.js";
import { DEFAULT_KEEP } from "../../reconcilers/snapshots/pre-apply.js";
import { finishContracts, prepareContracts } from "../apply-contracts.js";
import { reviewApprovals } from "../github-approvals.js";
import { approvalState } from "../plan-approvals.js";
import { verifiedSavedPlan, warnDirtyInputs } from "../plan-binding.js";
import { policiesForPlan } from "../policies.js";
import { watchApply } from "../render/apply-progress.js";
import { renderPlanHuman, summaryText } from "../render/plan-human.js";
import {
  confirm,
  intOption,
  loadEstate,
  lockTimeout,
  openSession,
  planFromRepo,
  refuseRenumbers,
} from "../session.js";
import type { CommandContext, CommandModule } from "../spec.js";

function count(results: readonly ChangeResult[], status: ChangeResult["status"]): number {
  return results.filter((r) => r.status === status).length;
}

export const run: CommandModule["run"] = async (ctx, values, positionals) => {
  const out = ctx.output;
  const s = out.style;
  // Numeric options are checked before anything is read or planned (`--parallelism 0` is refused).
  const concurrency = intOption(values, "parallelism", 4, 1);
  const keep = intOption(values, "keep", DEFAULT_KEEP, 1);
  const stopTimeout = intOption(values, "stop-timeout", 30, 0);
  const session = openSession(ctx, values);
  try {
    let plan: PlanDocument;
    let replan: (() => Promise<readonly Change[]>) | undefined;
    let estate: Estate;
    const file = positionals[0];
    const allowDirty = values["allow-dirty"] === true;
    if (file !== undefined) {
      if (
        values.limit ||
        values["image-map"] ||
        values["bridge-addresses"] ||
        values["changed-since"]
      ) {
        throw new UsageError(
          "--limit, --changed-since, --image-map and --bridge-addresses shape a new plan; a saved plan is applied as it is",
        );
      }
      plan = await verifiedSavedPlan(ctx, values, session, file, allowDirty);
      estate = loadEstate(ctx, values).estate;
    } else {
      // Operations an interrupted apply left running would race this plan: let them finish.
      estate = loadEstate(ctx, values).estate;
      await settleOperations(session.driver, new Set(estate.domains.map((d) => d.project)), {
        timeoutMs: 120_000,
        onWait: (n) =>
          out.err(
            s.dim(`waiting for ${n} Incus operation(s) still running in the estate's projects…`),
          ),
      });
      plan = (await planFromRepo(ctx, values, session)).plan;
      replan = async () =>
        (await planFromRepo(ctx, values, session)).plan.changes.filter(isActionable);
    }
    // The stricter of the policies at the plan's commit and at its base (a PR cannot lower its bar).
    const policies = await policiesForPlan(session.root, plan, values, ctx.env);
    const reviews = await reviewApprovals(ctx.env, values, plan, policies.approval);
    for (const r of reviews.ignored)
      out.err(s.dim(`GitHub review ${r.review} by ${r.login} does not count: ${r.why}`));
    // Uncommitted inputs: a warning and `dirty: true` in the audit trail, not a refusal.
    const dirty = await warnDirtyInputs(ctx, session.root);
    const approvals = approvalState(
      plan,
      session.root,
      ctx.env,
      new Date(),
      reviews.approvers,
      policies.approval,
    );
    assertApproved(approvals.requirements, approvals.counted, approvals.keyring);
    if (!out.json && approvals.counted.approvers.length > 0) {
      out.err(
        s.dim(
          `approved by ${approvals.counted.approvers.map((a) => a.principal).join(", ")} (${approvals.counted.approvers.length} of ${approvals.requirements.required} required)`,
        ),
      );
    }
    if (!out.json) for (const line of renderPlanHuman(plan, s)) out.out(line);
    // Contract runs: keys, threshold, templates and policy are checked before anything changes.
    const contracts = await prepareContracts(
      ctx,
      values,
      session.root,
      session.site,
      plan,
      estate,
      approvals,
    );
    if (plan.summary.actionable === 0 && !contracts) {
      // Nothing to lock for, but a killed run's lock must not outlive it (its lease).
      const stale = await releaseStaleLock(session.driver, processLockEnv()).catch(() => undefined);
      if (stale)
        out.err(s.dim(`released the stale apply lock of run ${stale.holder.run}: ${stale.why}`));
      if (out.json)
        out.writeJson({ version: 1, ok: true, run: null, summary: plan.summary, results: [] });
      return conflictsOrOk(plan);
    }
    refuseRenumbers(plan, values["allow-renumber"] === true);
    assertNotFrozen(
      session.root,
      "plumb apply",
      new Date(),
      freezeOverride(values, plan, () => approvals.counted.approvers.map((a) => a.id)),
      policies.freeze,
    );
    if (values.yes !== true) {
      const go = await confirm(
        ctx,
        "\nDo you want to perform these actions?",
        `apply would make ${plan.summary.actionable} change(s)${contracts ? ` and run ${contracts.runs.length} contract(s)` : ""}`,
      );
      if (!go) {
        out.err("Apply cancelled.");
        return 1;
      }
    }
    const runId = `${timestamp()}-${randomBytes(3).toString("hex")}`;
    const journal = new RunJournal(session.root, runId);
    await journal.writeJson("plan.json", plan);
    journal.event("start", { plan: plan.digest, file: file ?? null, argv: process.argv.slice(2) });
    const preApply = new PreApplyState(session.root);
    const leaseSeconds = intOption({ "lock-lease": ctx.env.PLUMB_LOCK_LEASE }, "lock-lease", 60, 3);
    const actionable = plan.changes.filter(isActionable).length;
    const watcher = out.json ? undefined : watchApply(out, actionable, "apply");
    let contractResults: DeliveryResult[] = [];
    const report: ApplyReport = await runApply({
      // The engine gets the real sensitive values; journal and audit keep the redacted plan.
      plan: withSecrets(plan),
      driver: session.driver,
      target: session.target,
      options: {
        allowRestart: values["allow-restart"] === true,
        snapshot: values["no-snapshot"] !== true,
        keep,
        concurrency,
        stopTimeout,
        leaseMs: leaseSeconds * 1000,
        lockWaitMs: lockTimeout(ctx, values) * 1000,
      },
      run: runId,
      command: `plumb apply${file ? ` ${file}` : ""}`,
      lockEnv: processLockEnv(),
      timestamp: timestamp(),
      recordSnapshots: (rec) => preApply.record(rec),
      journal: auditedJournal(
        session.root,
        runId,
        plan,
        (type, data) => journal.event(type, data),
        {
          logger: runLogger(runId, {
            format: logFormat(values["log-format"], ctx.env),
            env: ctx.env,
          }),
          dirty,
        },
      ),
      onProgress: watcher?.onProgress,
      ...(replan ? { replan } : {}),
      ...(contracts
        ? {
            afterChanges: async () => {
              watcher?.progress.stop();
              if (!out.json)
                out.err(s.bold(`\nDelivering ${contracts.runs.length} contract run(s):`));
              contractResults = await contracts.deliver(runId, session.driver.api);
            },
          }
        : {}),
    }).finally(() => watcher?.progress.stop());
    if (report.snapshot) preApply.writeHistory(preApply.history().slice(-keep));
    await anchorAudit(session.driver, session.root, plan.owner).catch((e) =>
      out.err(s.yellow(`audit anchor not moved: ${(e as Error).message}`)),
    );
    await journal.writeJson("result.json", { ...report, contracts: contractResults });
    const code = finish(ctx, plan, report, runId, contracts ? contractResults : undefined);
    return contracts ? Math.max(code, finishContracts(ctx, contractResults)) : code;
  } catch (e) {
    throw auditFailure(session.root, "plumb apply", e);
  } finally {
    session.close();
  }
};

function conflictsOrOk(plan: PlanDocument): number {
  if (plan.summary.conflict > 0) {
    throw new PlumbError(
      "PLB726",
      `${plan.summary.conflict} declared object(s) collide with Incus objects plumb does not own; they were left untouched`,
    );
  }
  return 0;
}

function finish(
  ctx: CommandContext,
  plan: PlanDocument,
  report: ApplyReport,
  runId: string,
  contracts?: readonly DeliveryResult[],
): number {
  const out = ctx.output;
  const s = out.style;
  const failed = count(report.results, "failed");
  const skipped = count(report.results, "skipped");
  const remaining = report.remaining ?? [];
  if (out.json) {
    out.writeJson({
      version: 1,
      ok: failed === 0 && !contracts?.some((c) => c.status === "FAILED"),
      run: runId,
      snapshot: report.snapshot ?? null,
      ...report,
      ...(contracts ? { contracts } : {}),
    });
  } else {
    out.err("");
    out.err(
      s.bold(
        `Apply complete: ${count(report.results, "done")} done, ${failed} failed, ${skipped} skipped.`,
      ) + s.dim(` (run ${runId})`),
    );
    for (const u of report.unconverged) out.err(`  ${s.yellow("!")} ${u.id}: ${u.why}`);
    if (report.remaining !== undefined) {
      if (remaining.length === 0)
        out.err(s.green("Re-plan: no changes left; live Incus matches the estate."));
      else out.err(s.yellow(`Re-plan: ${summaryText(summarize(remaining))}`));
    }
    if (report.snapshot)
      out.err(
        s.dim(
          `Roll back with \`plumb snapshot rollback ${report.snapshot.slice("pre-apply-".length)}\`.`,
        ),
      );
  }
  if (failed > 0) {
    throw new PlumbError("PLB716", `${failed} change(s) failed; the others were applied`, {
      hint: "fix the cause and run `plumb apply` again; `plumb snapshot rollback` restores the pre-apply snapshots",
    });
  }
  const verifyFailed = report.unconverged.filter((u) => !u.why.startsWith("skipped"));
  if (verifyFailed.length > 0) {
    throw new PlumbError(
      "PLB716",
      `${verifyFailed.length} change(s) were applied but did not converge`,
    );
  }
  conflictsOrOk(plan);
  return skipped > 0 || remaining.length > 0 ? ExitCode.changes : ExitCode.ok;
}
