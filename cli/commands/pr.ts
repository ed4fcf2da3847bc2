// `plumb pr comment plan.json`: posts the plan as the one sticky plumb comment of a pull request
// (updated in place on every push, split into ordered parts under GitHub's size limit).
import { readFileSync } from "node:fs";
import { PlumbError, UsageError } from "../../core/errors.js";
import { githubContext } from "../../core/github/context.js";
import { octokitForge } from "../../core/github/forge.js";
import { syncStickyComment } from "../../core/github/sticky-comment.js";
import { type PlanDocument, parsePlan } from "../../reconcilers/plan/plan-document.js";
import { approvalState } from "../plan-approvals.js";
import { policiesForPlan } from "../policies.js";
import {
  type AppliedStatus,
  type ApprovalStatus,
  commentParts,
  parseMarker,
} from "../render/pr-comment.js";
import { rootOrCwd } from "../session.js";
import type { CommandContext, CommandModule } from "../spec.js";

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new PlumbError("PLB946", `cannot read ${file}: ${(e as Error).message}`);
  }
}

function appliedFrom(file: string): AppliedStatus {
  const v = readJson(file) as Partial<AppliedStatus>;
  if (
    typeof v.run !== "string" ||
    typeof v.ok !== "boolean" ||
    !Number.isInteger(v.done) ||
    !Number.isInteger(v.failed)
  )
    throw new PlumbError(
      "PLB946",
      `${file} is not a reconcile result (run, ok, done, failed, remaining)`,
    );
  return {
    run: v.run,
    ok: v.ok,
    done: v.done as number,
    failed: v.failed as number,
    remaining: typeof v.remaining === "number" ? v.remaining : null,
  };
}

/** How many approvals the plan still needs (policies.yml), when the repository is at hand. */
async function approvalsOf(
  ctx: CommandContext,
  values: Readonly<Record<string, unknown>>,
  plan: PlanDocument,
): Promise<{ approvals?: ApprovalStatus }> {
  try {
    const root = rootOrCwd(ctx);
    // The stricter of this branch's policy and its base's (--policy-base, the plan's git base).
    const policy = (await policiesForPlan(root, plan, values, ctx.env)).approval;
    const { requirements, counted } = approvalState(plan, root, ctx.env, new Date(), [], policy);
    return {
      approvals: {
        missing: Math.max(0, requirements.required - counted.approvers.length),
        reasons: [
          ...requirements.reasons.map(
            (r) => `${r.risk} needs ${r.needs} approver(s): ${r.ids.length} object(s)`,
          ),
          ...requirements.forbidden.map((f) => `host access forbidden at ${f.trustLevel}: ${f.id}`),
          ...counted.approvers.map((a) => `approved by ${a.principal} (${a.via})`),
        ],
      },
    };
  } catch {
    return {}; // no policy or keyring readable here: the summary says "approvals not evaluated"
  }
}

export const run: CommandModule["run"] = async (ctx, values, positionals) => {
  const [sub, file] = positionals;
  if (sub !== "comment" || file === undefined)
    throw new UsageError("usage: plumb pr comment <plan.json>", "run `plumb pr --help`");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new PlumbError("PLB713", `cannot read ${file}: ${(e as Error).message}`);
  }
  const plan = parsePlan(text, file);
  const parts = commentParts({
    plan,
    ...(await approvalsOf(ctx, values, plan)),
    ...(typeof values.applied === "string" ? { applied: appliedFrom(values.applied) } : {}),
  });
  if (values["dry-run"] === true) {
    if (ctx.output.json) ctx.output.writeJson({ version: 1, parts });
    else ctx.output.out(parts.join("\n\n<!-- ---- next part ---- -->\n\n"));
    return 0;
  }
  const gh = githubContext(ctx.env, {
    repo: values.repo as string | undefined,
    pr: values.pr as string | undefined,
  });
  const forge = octokitForge({ token: gh.token, baseUrl: gh.baseUrl });
  const r = await syncStickyComment(
    forge,
    gh.pr,
    plan.owner,
    parts,
    parseMarker,
    values["bot-login"] as string | undefined,
  );
  const where = `${gh.pr.owner}/${gh.pr.repo}#${gh.pr.number}`;
  if (ctx.output.json)
    ctx.output.writeJson({ version: 1, ok: true, pr: where, parts: parts.length, ...r });
  else
    ctx.output.err(
      `plan comment on ${where}: ${parts.length} part(s); ${r.created.length} created, ${r.updated.length} updated, ${r.unchanged.length} unchanged, ${r.deleted.length} deleted`,
    );
  return 0;
};
