// `plumb plan`: the plan in human, JSON or markdown form, optionally saved for apply and approve.
import { resolve } from "node:path";
import { requiredApprovals } from "../../core/approvals/approvals.js";
import { auditPlan } from "../../core/audit/hooks.js";
import { PlumbError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/io/atomic-write.js";
import { serializePlan } from "../../reconcilers/plan/plan-document.js";
import { policiesForPlan } from "../policies.js";
import { renderPlanHuman } from "../render/plan-human.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import { formatOf, openSession, planFromRepo } from "../session.js";
import type { CommandModule } from "../spec.js";

export const run: CommandModule["run"] = async (ctx, values) => {
  const format = formatOf(ctx, values);
  const session = openSession(ctx, values);
  try {
    const { plan } = await planFromRepo(ctx, values, session);
    // A fresh plan has no approvals yet: say what it will need (policies.yml).
    // The stricter of the policies here and at the plan's base / --policy-base.
    const policy = (await policiesForPlan(session.root, plan, values, ctx.env)).approval;
    const need = requiredApprovals(plan, policy);
    auditPlan(session.root, plan, typeof values.out === "string" ? values.out : undefined);
    if (typeof values.out === "string") {
      await writeFileAtomic(resolve(ctx.cwd, values.out), serializePlan(plan));
    }
    if (format === "json") ctx.output.writeJson(plan);
    else if (format === "markdown")
      ctx.output.out(
        renderPlanMarkdown(plan, { required: need.required, have: 0, reasons: need.reasons }),
      );
    else {
      for (const line of renderPlanHuman(plan, ctx.output.style)) ctx.output.out(line);
      if (need.required > 0) {
        const why = need.reasons.map((r) => `${r.risk} ${r.needs}`).join(", ");
        ctx.output.out(
          ctx.output.style.yellow(
            `Needs ${need.required} approval(s) before apply (${why}): save it with --out and run \`plumb approve\`.`,
          ),
        );
      }
      for (const f of need.forbidden)
        ctx.output.out(
          ctx.output.style.red(
            `Host access is forbidden for ${f.id} (trust level ${f.trustLevel}): apply will refuse it.`,
          ),
        );
    }
    if (typeof values.out === "string" && format === "human") {
      ctx.output.err(
        ctx.output.style.dim(
          `Saved the plan to ${values.out} (digest ${plan.digest.slice(0, 19)}…); apply it with \`plumb apply ${values.out}\`.`,
        ),
      );
    }
    if (plan.summary.conflict > 0) {
      throw new PlumbError(
        "PLB726",
        `${plan.summary.conflict} declared object(s) collide with Incus objects plumb does not own`,
        {
          hint: "see the `!` entries of the plan: rename, remove, or `plumb import` them",
        },
      );
    }
    // One plan, one exit code: Incus changes, generated files out of date, or contract runs.
    if (
      values["detailed-exitcode"] === true &&
      plan.summary.actionable + plan.summary.files + (plan.summary.contracts ?? 0) > 0
    )
      return 2;
    return 0;
  } finally {
    session.close();
  }
};
