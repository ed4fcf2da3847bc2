// The GitHub side of the loop behind a small interface (ForgeDriver), implemented with
// @octokit/rest: list a PR's comments (every page), create, update and delete one, who we are,
// and a PR's author, head and reviews (every page). Works against GitHub Enterprise through its
// API base URL.
import { Octokit } from "@octokit/rest";
import { PlumbError } from "../errors.js";

export interface ForgeComment {
  readonly id: number;
  readonly body: string;
  readonly login: string;
  readonly createdAt: string;
}

export interface PullRef {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
}

/** A pull-request review as GitHub reports it (`pulls.listReviews`). */
export interface ForgeReview {
  readonly id: number;
  readonly login: string;
  /** APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED or PENDING. */
  readonly state: string;
  /** The commit the review was made on. */
  readonly commitId: string | null;
  readonly submittedAt: string | null;
}

export interface ForgePull {
  readonly author: string;
  readonly headSha: string;
}

export interface ForgeDriver {
  /** Our own login, or undefined when the token cannot tell (GITHUB_TOKEN of Actions). */
  whoami(): Promise<string | undefined>;
  listComments(pr: PullRef): Promise<ForgeComment[]>;
  createComment(pr: PullRef, body: string): Promise<ForgeComment>;
  updateComment(pr: PullRef, id: number, body: string): Promise<void>;
  deleteComment(pr: PullRef, id: number): Promise<void>;
  getPull(pr: PullRef): Promise<ForgePull>;
  /** Every review of the PR, oldest first. */
  listReviews(pr: PullRef): Promise<ForgeReview[]>;
}

function forgeError(what: string, e: unknown): PlumbError {
  const status = (e as { status?: number }).status;
  const msg = (e as { response?: { data?: { message?: string } } }).response?.data?.message;
  return new PlumbError(
    "PLB945",
    `GitHub: ${what} failed${status ? ` (HTTP ${status}${msg ? `: ${msg}` : ""})` : `: ${(e as Error).message}`}`,
    {
      hint:
        status === 401 || status === 403
          ? "check GITHUB_TOKEN and its permissions (pull-requests: write, issues: write)"
          : status === 404
            ? "check --repo / --pr (or GITHUB_REPOSITORY and the event file) and GITHUB_API_URL"
            : "check GITHUB_API_URL and the network path to it",
    },
  );
}

export function octokitForge(options: {
  token: string;
  baseUrl: string;
  userAgent?: string;
}): ForgeDriver {
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    userAgent: options.userAgent ?? "plumbline",
    request: { retries: 0 },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  const toComment = (c: {
    id: number;
    body?: string | null;
    user?: { login: string } | null;
    created_at: string;
  }) => ({
    id: c.id,
    body: c.body ?? "",
    login: c.user?.login ?? "",
    createdAt: c.created_at,
  });
  return {
    async whoami() {
      try {
        return (await octokit.rest.users.getAuthenticated()).data.login;
      } catch (e) {
        const status = (e as { status?: number }).status;
        if (status === 403 || status === 401 || status === 404) return undefined;
        throw forgeError("reading the token's user", e);
      }
    },
    async listComments(pr) {
      try {
        const all = await octokit.paginate(octokit.rest.issues.listComments, {
          owner: pr.owner,
          repo: pr.repo,
          issue_number: pr.number,
          per_page: 100,
        });
        return all.map(toComment);
      } catch (e) {
        throw forgeError(`listing comments of ${pr.owner}/${pr.repo}#${pr.number}`, e);
      }
    },
    async createComment(pr, body) {
      try {
        const r = await octokit.rest.issues.createComment({
          owner: pr.owner,
          repo: pr.repo,
          issue_number: pr.number,
          body,
        });
        return toComment(r.data);
      } catch (e) {
        throw forgeError(`commenting on ${pr.owner}/${pr.repo}#${pr.number}`, e);
      }
    },
    async updateComment(pr, id, body) {
      try {
        await octokit.rest.issues.updateComment({
          owner: pr.owner,
          repo: pr.repo,
          comment_id: id,
          body,
        });
      } catch (e) {
        throw forgeError(`updating comment ${id}`, e);
      }
    },
    async deleteComment(pr, id) {
      try {
        await octokit.rest.issues.deleteComment({ owner: pr.owner, repo: pr.repo, comment_id: id });
      } catch (e) {
        throw forgeError(`deleting comment ${id}`, e);
      }
    },
    async getPull(pr) {
      try {
        const { data } = await octokit.rest.pulls.get({
          owner: pr.owner,
          repo: pr.repo,
          pull_number: pr.number,
        });
        return { author: data.user?.login ?? "", headSha: data.head.sha };
      } catch (e) {
        throw forgeError(`reading ${pr.owner}/${pr.repo}#${pr.number}`, e);
      }
    },
    async listReviews(pr) {
      try {
        const all = await octokit.paginate(octokit.rest.pulls.listReviews, {
          owner: pr.owner,
          repo: pr.repo,
          pull_number: pr.number,
          per_page: 100,
        });
        return all.map((r) => ({
          id: r.id,
          login: r.user?.login ?? "",
          state: r.state,
          commitId: r.commit_id ?? null,
          submittedAt: r.submitted_at ?? null,
        }));
      } catch (e) {
        throw forgeError(`listing reviews of ${pr.owner}/${pr.repo}#${pr.number}`, e);
      }
    },
  };
}
