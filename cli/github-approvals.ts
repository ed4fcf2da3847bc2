// Approving pull-request reviews as approvals of a plan (approvals.github_reviewers): with
// `--pr N` (and GITHUB_TOKEN, GITHUB_API_URL, `--repo` or GITHUB_REPOSITORY), reads the PR's
// author and every review with Octokit and counts them (core/github/reviews.ts). Used by apply
// and `plumb approve --check`.
import type { ApprovalPolicy } from "../core/approvals/policy.js";
import { githubContext } from "../core/github/context.js";
import { type ForgeDriver, octokitForge } from "../core/github/forge.js";
import { countReviews, type ReviewVerdict } from "../core/github/reviews.js";

const NONE: ReviewVerdict = { approvers: [], ignored: [] };

export async function reviewApprovals(
  env: NodeJS.ProcessEnv,
  values: Readonly<Record<string, unknown>>,
  plan: { readonly git: { readonly head: string | null } },
  policy: ApprovalPolicy,
  forgeFor: (token: string, baseUrl: string) => ForgeDriver = (token, baseUrl) =>
    octokitForge({ token, baseUrl }),
): Promise<ReviewVerdict> {
  const pr = values.pr;
  if (typeof pr !== "string" || policy.githubReviewers.length === 0) return NONE;
  const repo = typeof values.repo === "string" ? values.repo : undefined;
  const gh = githubContext(env, { repo, pr });
  const forge = forgeFor(gh.token, gh.baseUrl);
  const [pull, reviews] = await Promise.all([forge.getPull(gh.pr), forge.listReviews(gh.pr)]);
  return countReviews({
    reviews,
    listed: policy.githubReviewers,
    headSha: plan.git.head,
    author: pull.author,
  });
}
