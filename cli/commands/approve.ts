// `plumb approve plan.json --key <file> | --agent`: adds an SSHSIG signature over the plan digest
// by an approver-role key to the plan file (outside the digest), then reports what the plan has
// and what policies.yml requires. `--check` signs nothing and refuses (PLB920/PLB921) a plan
// that lacks what it needs — the reconcile job's approvals step, before the lock.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { assertApproved, signApproval } from "../../core/approvals/approvals.js";
import { PlumbError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/io/atomic-write.js";
import {
  type PlanDocument,
  parsePlan,
  serializePlan,
} from "../../reconcilers/plan/plan-document.js";
import { reviewApprovals } from "../github-approvals.js";
import { type ApprovalState, approvalState, readVerifiedKeyring } from "../plan-approvals.js";
import { effectivePolicies, policiesForPlan } from "../policies.js";
import { rootOrCwd } from "../session.js";
import { signerFrom } from "../signer-options.js";
import type { CommandContext, CommandModule } from "../spec.js";

export const run: CommandModule["run"] = async (ctx, values, positionals) => {
  const file = resolve(ctx.cwd, positionals[0] as string);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new PlumbError("PLB713", `cannot read ${positionals[0]}: ${(e as Error).message}`);
  }
  const plan = parsePlan(text, positionals[0]);
  const root = rootOrCwd(ctx);
  const now = new Date();
  const policies = await policiesForPlan(root, plan, values, ctx.env).catch(async (e) => {
    // Signing does not depend on the policy (only the report does): an approver whose clone
    // lacks the base commit still signs, and is told the count is the head policy's.
    if (values.check === true || !(e instanceof PlumbError) || e.code !== "PLB919") throw e;
    ctx.output.err(
      ctx.output.style.yellow(
        `warning[${e.code}]: ${e.message}: the count below uses this tree's policy only`,
      ),
    );
    return effectivePolicies(root, []);
  });
  const reviews = await reviewApprovals(ctx.env, values, plan, policies.approval);
  const stateOf = (p: PlanDocument) =>
    approvalState(p, root, ctx.env, now, reviews.approvers, policies.approval);
  if (values.check === true) {
    const state = stateOf(plan);
    let refusal: PlumbError | undefined;
    try {
      assertApproved(state.requirements, state.counted, state.keyring);
    } catch (e) {
      if (!(e instanceof PlumbError)) throw e;
      refusal = e;
    }
    // --json: one document, with the refusal in it; a human gets the report, then the error.
    report(ctx, plan, state, reviews.ignored, policies.sources, undefined, refusal);
    if (refusal && !ctx.output.json) throw refusal;
    return refusal ? 1 : 0;
  }
  const keyring = readVerifiedKeyring(root, ctx.env, now);
  if (!keyring) {
    throw new PlumbError("PLB923", "this repository has no keyring (keys/keyring.json)", {
      hint: "create one with `plumb keys init` and give approvers the approver role",
    });
  }
  const signer = await signerFrom(values, ctx.cwd, ctx.env);
  const approval = await signApproval(plan.digest, keyring, signer, now);
  // One approval per key: a second run replaces the key's earlier approval.
  const approvals = [
    ...(plan.approvals ?? []).filter((a) => a.fingerprint !== approval.fingerprint),
    approval,
  ];
  const approved = { ...plan, approvals };
  await writeFileAtomic(file, serializePlan(approved));
  if (!ctx.output.json)
    ctx.output.out(
      `Approved ${positionals[0]} (digest ${plan.digest.slice(0, 19)}…) as ${approval.principal} (${approval.fingerprint}).`,
    );
  report(ctx, approved, stateOf(approved), reviews.ignored, policies.sources, approval);
  return 0;
};

function report(
  ctx: CommandContext,
  plan: PlanDocument,
  state: ApprovalState,
  ignoredReviews: readonly { login: string; review: number; why: string }[],
  sources: readonly string[],
  approval?: { principal: string; fingerprint: string },
  refusal?: PlumbError,
): void {
  const out = ctx.output;
  const have = state.counted.approvers.length;
  const need = state.requirements.required;
  if (out.json) {
    out.writeJson({
      version: 1,
      ...(refusal === undefined
        ? { ok: true }
        : {
            ok: false,
            error: { code: refusal.code, message: refusal.message, hint: refusal.hint ?? null },
          }),
      digest: plan.digest,
      ...(approval ? { approved_by: approval.principal, fingerprint: approval.fingerprint } : {}),
      approvers: state.counted.approvers,
      rejected: state.counted.rejected,
      ignored_reviews: ignoredReviews,
      required: need,
      missing: Math.max(0, need - have),
      reasons: state.requirements.reasons,
      forbidden: state.requirements.forbidden,
      policies: sources,
    });
    return;
  }
  const reasons = state.requirements.reasons.map((r) => `${r.risk}: ${r.needs}`).join(", ");
  out.out(
    `${have} distinct approval(s); policies.yml requires ${need}${reasons ? ` (${reasons})` : ""}.${have < need ? ` ${need - have} more needed.` : ""}`,
  );
  for (const a of state.counted.approvers) out.out(`  approved by ${a.principal} (${a.via})`);
  if (sources.length > 1) out.out(out.style.dim(`policy: the stricter of ${sources.join(", ")}`));
  for (const r of state.counted.rejected) out.err(out.style.yellow(`ignored: ${r.reason}`));
  for (const r of ignoredReviews)
    out.err(out.style.yellow(`ignored GitHub review ${r.review} by ${r.login}: ${r.why}`));
  for (const f of state.requirements.forbidden)
    out.err(out.style.red(`host access is forbidden for ${f.id} (trust level ${f.trustLevel})`));
}
