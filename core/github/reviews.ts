// Which pull-request reviews count as approvals of a plan: per listed GitHub login, the latest
// review that sets a state (APPROVED, CHANGES_REQUESTED, DISMISSED; comments do not), counted
// only when it is APPROVED on the plan's head commit and not by the PR's author. Pure.
import type { ExtraApprover } from "../approvals/approvals.js";
import type { ForgeReview } from "./forge.js";

const STATEFUL = new Set(["APPROVED", "CHANGES_REQUESTED", "DISMISSED"]);

export interface ReviewVerdict {
  /** One per login whose review counts (`github:<login>`). */
  readonly approvers: readonly ExtraApprover[];
  /** Approving (or once-approving) reviews that do not count, and why. */
  readonly ignored: readonly {
    readonly login: string;
    readonly review: number;
    readonly why: string;
  }[];
}

export function countReviews(input: {
  readonly reviews: readonly ForgeReview[];
  /** approvals.github_reviewers of the policy in force. */
  readonly listed: readonly string[];
  /** The commit the plan was made from (plan.git.head). */
  readonly headSha: string | null;
  /** The PR's author. */
  readonly author: string;
}): ReviewVerdict {
  const listed = new Set(input.listed.map((l) => l.toLowerCase()));
  const latest = new Map<string, ForgeReview>();
  const ordered = [...input.reviews].sort(
    (a, b) => Date.parse(a.submittedAt ?? "") - Date.parse(b.submittedAt ?? "") || a.id - b.id,
  );
  for (const r of ordered) {
    if (!STATEFUL.has(r.state) || r.login === "") continue;
    latest.set(r.login.toLowerCase(), r);
  }
  const approvers: ExtraApprover[] = [];
  const ignored: { login: string; review: number; why: string }[] = [];
  for (const [key, r] of latest) {
    const skip = (why: string) => ignored.push({ login: r.login, review: r.id, why });
    if (r.state !== "APPROVED") {
      if (listed.has(key)) skip(`latest review is ${r.state.toLowerCase().replace("_", " ")}`);
      continue;
    }
    if (!listed.has(key)) skip("not in approvals.github_reviewers");
    else if (key === input.author.toLowerCase()) skip("the pull request's author");
    else if (input.headSha === null) skip("the plan records no commit");
    else if (r.commitId !== input.headSha)
      skip(
        `approved ${r.commitId ? r.commitId.slice(0, 12) : "no commit"}, not the plan's commit ${input.headSha.slice(0, 12)}`,
      );
    else
      approvers.push({
        id: `github:${r.login}`,
        via: `GitHub review ${r.id} on ${input.headSha.slice(0, 12)}`,
      });
  }
  return { approvers, ignored };
}
