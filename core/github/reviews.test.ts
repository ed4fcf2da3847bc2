// Approving PR reviews as plan approvals: the rules (latest stateful review per listed login,
// APPROVED on the plan's commit, not the author) and the Octokit driver reading a PR and every
// page of its reviews from the local GitHub server (tests/kit/fake-github.ts), GHE prefix included.
import { afterEach, describe, expect, it } from "vitest";
import { FakeGithub } from "../../tests/kit/fake-github.js";
import { octokitForge } from "./forge.js";
import { countReviews } from "./reviews.js";

const HEAD = "a".repeat(40);
const OLD = "b".repeat(40);
let gh: FakeGithub | undefined;
afterEach(async () => {
  await gh?.close();
  gh = undefined;
});

const review = (id: number, login: string, state: string, commitId = HEAD) => ({
  id,
  login,
  state,
  commitId,
  submittedAt: new Date(Date.UTC(2026, 0, 1, 0, id)).toISOString(),
});

describe("countReviews", () => {
  it("counts listed logins' approvals of the plan's commit; the author, other logins and older commits do not count", () => {
    const v = countReviews({
      reviews: [
        review(1, "alice", "APPROVED"),
        review(2, "bob", "APPROVED", OLD), // an older commit
        review(3, "dave", "APPROVED"), // not listed
        review(4, "carol", "APPROVED"), // the PR's author
        review(5, "Erin", "APPROVED"), // listed as erin: logins are case-insensitive
      ],
      listed: ["alice", "bob", "carol", "erin"],
      headSha: HEAD,
      author: "carol",
    });
    expect(v.approvers.map((a) => a.id)).toEqual(["github:alice", "github:Erin"]);
    expect(v.approvers[0]?.via).toBe(`GitHub review 1 on ${HEAD.slice(0, 12)}`);
    expect(Object.fromEntries(v.ignored.map((i) => [i.login, i.why]))).toEqual({
      bob: `approved ${OLD.slice(0, 12)}, not the plan's commit ${HEAD.slice(0, 12)}`,
      dave: "not in approvals.github_reviewers",
      carol: "the pull request's author",
    });
  });

  it("the latest stateful review wins: changes requested or dismissed after approving does not count; a later comment changes nothing", () => {
    const v = countReviews({
      reviews: [
        review(1, "alice", "APPROVED"),
        review(2, "alice", "CHANGES_REQUESTED"),
        review(3, "bob", "APPROVED"),
        review(4, "bob", "DISMISSED"),
        review(5, "erin", "APPROVED"),
        review(6, "erin", "COMMENTED"),
        review(7, "frank", "CHANGES_REQUESTED", OLD),
        review(8, "frank", "APPROVED"),
        review(9, "gina", "PENDING"),
      ],
      listed: ["alice", "bob", "erin", "frank", "gina"],
      headSha: HEAD,
      author: "someone",
    });
    expect(v.approvers.map((a) => a.id).sort()).toEqual(["github:erin", "github:frank"]);
    expect(v.ignored.map((i) => [i.login, i.why])).toEqual([
      ["alice", "latest review is changes requested"],
      ["bob", "latest review is dismissed"],
    ]);
  });

  it("a plan without a commit counts no review", () => {
    const v = countReviews({
      reviews: [review(1, "alice", "APPROVED")],
      listed: ["alice"],
      headSha: null,
      author: "x",
    });
    expect(v.approvers).toEqual([]);
    expect(v.ignored[0]?.why).toBe("the plan records no commit");
  });
});

describe("octokitForge: pull requests and reviews (local GitHub server)", () => {
  it("reads the author, head and every page of reviews (GitHub Enterprise prefix)", async () => {
    gh = await FakeGithub.start({ prefix: "/api/v3" });
    gh.setPull("acme", "infra", 7, "carol", HEAD);
    for (let i = 0; i < 130; i++) gh.review("acme", "infra", 7, `user${i}`, "COMMENTED", OLD);
    gh.review("acme", "infra", 7, "alice", "APPROVED", HEAD);
    const forge = octokitForge({ token: "test-token", baseUrl: gh.url });
    const pr = { owner: "acme", repo: "infra", number: 7 };
    expect(await forge.getPull(pr)).toEqual({ author: "carol", headSha: HEAD });
    const reviews = await forge.listReviews(pr);
    expect(reviews).toHaveLength(131);
    expect(reviews.at(-1)).toMatchObject({ login: "alice", state: "APPROVED", commitId: HEAD });
    expect(gh.requests.filter((r) => r.path.includes("/reviews"))).toHaveLength(2);
    expect(gh.requests.every((r) => r.path.startsWith("/api/v3/"))).toBe(true);
    const v = countReviews({ reviews, listed: ["alice"], headSha: HEAD, author: "carol" });
    expect(v.approvers.map((a) => a.id)).toEqual(["github:alice"]);
  });

  it("an unknown PR is PLB945 with the status", async () => {
    gh = await FakeGithub.start();
    const forge = octokitForge({ token: "test-token", baseUrl: gh.url });
    await expect(forge.getPull({ owner: "acme", repo: "infra", number: 9 })).rejects.toMatchObject({
      code: "PLB945",
      message: expect.stringContaining("HTTP 404"),
    });
  });
});
