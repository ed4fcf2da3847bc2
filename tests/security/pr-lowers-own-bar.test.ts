// Attack: a pull request lowers its own bar — edits policies.yml to need no approvals, drops a
// freeze window, or lists its own friend as a GitHub reviewer. The policy is read from the plan's
// base commit (recorded by --changed-since, or --policy-base) and from the head; the stricter
// applies. (Before: the head's policy alone, and each of these applied.) Real temporary git
// repository, built CLI, fake Incus, the local GitHub server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGithub } from "../kit/fake-github.js";
import { PlanRepo, webDomain } from "../kit/plan-repo.js";

const now = Date.now();
const MAIN_POLICY = `approvals:
  required:
    any: 2
  github_reviewers: [alice, bob]
change_freeze:
  windows:
    - reason: release week
      from: "${new Date(now - 3_600_000).toISOString()}"
      until: "${new Date(now + 3_600_000).toISOString()}"
`;
const PR_POLICY =
  "approvals:\n  required:\n    any: 0\n  github_reviewers: [alice, bob, mallory]\n";

describe("policies from the base and the head (built CLI, real git)", () => {
  let repo: PlanRepo;
  let mainCommit: string;
  beforeAll(async () => {
    repo = await PlanRepo.create();
    const first = await repo.plumb(["apply", "--yes"]);
    expect(first.code, first.stderr).toBe(0);
    repo.write({ "infra/policies.yml": MAIN_POLICY });
    mainCommit = repo.commit("policy: two approvals, a release freeze");
    repo.git("checkout", "-q", "-b", "pr");
    repo.write({ "infra/policies.yml": PR_POLICY, "infra/domains/web.yml": webDomain("2") });
    repo.commit("PR: lower approvals to 0, drop the freeze, and change web");
  }, 120_000);
  afterAll(async () => {
    await repo.close();
  });

  it("a PR lowering approvals from 2 to 0 still needs 2 (base recorded by --changed-since)", async () => {
    const planned = await repo.plumb(["plan", "--changed-since", "main", "--out", "plan.json"]);
    expect(planned.code, planned.stderr).toBe(0);
    expect(repo.plan().git).toMatchObject({ base: mainCommit });
    expect(planned.stdout).toContain("Needs 2 approval(s)");
    const applied = await repo.plumb(["apply", "plan.json", "--yes"]);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain("error[PLB920]");
    expect(applied.stderr).toContain("0 of 2 required");
    expect(repo.fake.count("PUT", "/1.0/instances")).toBe(0);
  }, 120_000);

  it("--policy-base binds a plan that records no base; without it the head's policy alone applies", async () => {
    const planned = await repo.plumb(["plan", "--out", "plain.json"]);
    expect(planned.code, planned.stderr).toBe(0);
    expect(repo.plan("plain.json").git).toMatchObject({ base: null });
    const check = await repo.plumb(["approve", "plain.json", "--check", "--policy-base", "main"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("error[PLB920]");
    expect(check.stdout).toContain(
      `policy: the stricter of infra/policies.yml, ${mainCommit.slice(0, 12)}:infra/policies.yml`,
    );
    const refused = await repo.plumb(["apply", "plain.json", "--yes", "--policy-base", "main"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error[PLB920]");
    const env = await repo.plumb(["apply", "plain.json", "--yes"], { PLUMB_POLICY_BASE: "main" });
    expect(env.stderr).toContain("error[PLB920]");
    expect(repo.fake.count("PUT", "/1.0/instances")).toBe(0);
  }, 120_000);

  it("the base's freeze window holds although the PR removed it", async () => {
    const head = await repo.plumb(["freeze", "--json"]);
    expect(head.code).toBe(0);
    const both = await repo.plumb(["freeze", "--json", "--policy-base", "main"]);
    expect(both.code).toBe(1);
    expect(JSON.parse(both.stdout)).toMatchObject({
      frozen: true,
      active: [{ reason: "release week" }],
    });
    const missing = await repo.plumb(["freeze", "--policy-base", "no-such-branch"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("PLB919");
  }, 60_000);

  it("a reviewer the PR adds to github_reviewers does not count", async () => {
    const gh = await FakeGithub.start();
    try {
      const head = repo.git("rev-parse", "HEAD");
      gh.setPull("acme", "infra", 8, "carol", head);
      gh.review("acme", "infra", 8, "alice", "APPROVED", head);
      gh.review("acme", "infra", 8, "mallory", "APPROVED", head); // listed by the PR only
      const env = { GITHUB_TOKEN: "test-token", GITHUB_API_URL: gh.url };
      const pr = ["--pr", "8", "--repo", "acme/infra", "--policy-base", "main"];
      const r = await repo.plumb(["approve", "plain.json", "--check", ...pr], env);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("approved by github:alice");
      expect(r.stderr).toContain("1 of 2 required");
      expect(r.stderr).toContain("by mallory: not in approvals.github_reviewers");
    } finally {
      await gh.close();
    }
  }, 60_000);

  it("control: the head's policy alone (no base anywhere) lets the same plan apply", async () => {
    const applied = await repo.plumb(["apply", "plain.json", "--yes"]);
    expect(applied.code, applied.stderr).toBe(0);
  }, 120_000);
});
