// Notifications of the reconcile job (scripts/reconcile.mjs): a webhook POST of a JSON event
// shaped like Flux's notification events, and the PR comment updated with the applied result.
import { hostname } from "node:os";
import { fs, path } from "zx";

/** The event for a reconcile result (`ok`, `done`, `error: {step, message}`, …). */
export function fluxEvent(result) {
  return {
    involvedObject: {
      kind: "Estate",
      namespace: "plumb",
      name: result.estate ?? "unknown",
      apiVersion: "plumbline/v1",
    },
    severity: result.ok ? "info" : "error",
    timestamp: new Date().toISOString(),
    reason: result.ok ? "ReconciliationSucceeded" : "ReconciliationFailed",
    message: result.ok
      ? `applied ${result.done} change(s); re-plan empty`
      : `reconcile failed at ${result.error?.step}: ${result.error?.message}`,
    reportingController: "plumb-reconcile",
    reportingInstance: hostname(),
    metadata: {
      run: result.run,
      revision: result.commit,
      digest: result.digest,
      snapshot: result.snapshot,
    },
  };
}

/**
 * Sends what is configured; returns a note, throws `ctx.failure(message)` when a configured
 * channel fails. ctx: {options, planFile, runDir, plumb(step, ...args), writeFileAtomic, failure}.
 */
export async function notify(ctx, step, result) {
  const { options: o, planFile, runDir } = ctx;
  const out = [];
  if (o.webhook) {
    let status;
    try {
      const r = await fetch(o.webhook, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(fluxEvent(result)),
        signal: AbortSignal.timeout(15_000),
      });
      status = r.status;
    } catch (e) {
      throw ctx.failure(`webhook failed: ${e.message}`);
    }
    if (status < 200 || status > 299) throw ctx.failure(`webhook answered ${status}`);
    out.push(`webhook ${status}`);
  }
  if (
    process.env.GITHUB_TOKEN &&
    (o.pr || process.env.GITHUB_EVENT_PATH) &&
    fs.existsSync(planFile)
  ) {
    const resultFile = path.join(runDir, "reconcile-result.json");
    await ctx.writeFileAtomic(resultFile, `${JSON.stringify(result, null, 2)}\n`);
    const extra = [...(o.repo ? ["--repo", o.repo] : []), ...(o.pr ? ["--pr", String(o.pr)] : [])];
    const plan = o.reviewedPlan ?? planFile;
    const r = await ctx.plumb(step, "pr", "comment", plan, "--applied", resultFile, ...extra);
    if (r.exitCode !== 0) throw ctx.failure("PR comment not updated");
    out.push("PR comment updated");
  }
  return out.length ? out.join("; ") : "no webhook or PR configured";
}
