// Approving GitHub PR reviews count as approvals (approvals.github_reviewers): the built CLI reads
// the PR and its reviews from the local GitHub server; only the latest review of a listed login,
// APPROVED on the plan's commit and not by the PR's author, counts; the output names who did.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGithub } from "../kit/fake-github.js";
import { PlanRepo, webDomain } from "../kit/plan-repo.js";

const POLICY = "approvals:\n  required:\n    any: 2\n  github_reviewers: [alice, bob, carol]\n";

describe("GitHub reviews as approvals (built CLI, local GitHub server)", () => {
  let repo: PlanRepo;
  let gh: FakeGithub;
  let head: string;
  let env: NodeJS.ProcessEnv;
  const pr = ["--pr", "5", "--repo", "acme/infra"];

  beforeAll(async () => {
    repo = await PlanRepo.create();
    gh = await FakeGithub.start({ prefix: "/api/v3" });
    env = { GITHUB_TOKEN: "test-token", GITHUB_API_URL: gh.url };
    expect((await repo.plumb(["apply", "--yes"])).code).toBe(0);
    const older = repo.commit("an older commit of the PR");
    repo.write({ "infra/policies.yml": POLICY, "infra/domains/web.yml": webDomain("2") });
    head = repo.commit("two approvals; change web");
    expect((await repo.plumb(["plan", "--out", "plan.json"])).code).toBe(0);
    gh.setPull("acme", "infra", 5, "carol", head);
    gh.review("acme", "infra", 5, "alice", "APPROVED", head);
    gh.review("acme", "infra", 5, "bob", "APPROVED", older); // an older commit
    gh.review("acme", "infra", 5, "dave", "APPROVED", head); // not listed
    gh.review("acme", "infra", 5, "carol", "APPROVED", head); // the PR's author
  }, 120_000);
  afterAll(async () => {
    await gh.close();
    await repo.close();
  });

  it("an unlisted login, an older commit and the author do not count; the output says why", async () => {
    const r = await repo.plumb(["approve", "plan.json", "--check", ...pr], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB920]");
    expect(r.stderr).toContain("1 of 2 required");
    expect(r.stdout).toContain("approved by github:alice (GitHub review");
    expect(r.stderr).toContain("by bob: approved");
    expect(r.stderr).toContain("by dave: not in approvals.github_reviewers");
    expect(r.stderr).toContain("by carol: the pull request's author");
    const json = await repo.plumb(["approve", "plan.json", "--check", "--json", ...pr], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      error: { code: "PLB920" },
      required: 2,
      missing: 1,
      approvers: [{ id: "github:alice" }],
    });
  }, 60_000);

  it("a second listed approval on the plan's commit is enough; changes requested afterwards is not", async () => {
    gh.review("acme", "infra", 5, "bob", "APPROVED", head);
    const ok = await repo.plumb(["approve", "plan.json", "--check", ...pr], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("2 distinct approval(s); policies.yml requires 2");
    gh.review("acme", "infra", 5, "alice", "CHANGES_REQUESTED", head);
    const again = await repo.plumb(["approve", "plan.json", "--check", ...pr], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("by alice: latest review is changes requested");
  }, 60_000);

  it("apply counts the reviews with --pr, and refuses without them", async () => {
    gh.review("acme", "infra", 5, "alice", "APPROVED", head);
    const without = await repo.plumb(["apply", "plan.json", "--yes"], env);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain("error[PLB920]");
    const applied = await repo.plumb(["apply", "plan.json", "--yes", ...pr], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toContain("approved by github:alice, github:bob (2 of 2 required)");
  }, 120_000);
});

describe("approve when the policy base is not in this clone", () => {
  let repo: PlanRepo;
  beforeAll(async () => {
    repo = await PlanRepo.create();
  }, 60_000);
  afterAll(async () => {
    await repo.close();
  });

  it("signing still works (the count uses this tree's policy, with a warning); --check refuses PLB919", async () => {
    const key = (n: string) => join(repo.dir, "keyfiles", n);
    mkdirSync(join(repo.dir, "keyfiles"));
    for (const n of ["admin", "alice"])
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", n, "-f", key(n)]);
    for (const args of [
      ["keys", "init", "--pub", `${key("admin")}.pub`, "--org", "acme"],
      ["keys", "sign-keyring", "--key", key("admin")],
      ["keys", "trust", `${key("alice")}.pub`, "--principal", "alice", "--role", "approver"],
      ["keys", "sign-keyring", "--key", key("admin")],
    ])
      expect((await repo.plumb(args)).code, args.join(" ")).toBe(0);
    repo.write({ "infra/policies.yml": "approvals:\n  required:\n    any: 1\n" });
    repo.commit("keyring; one approval");
    expect((await repo.plumb(["plan", "--out", "plan.json"])).code).toBe(0);
    const missing = "0123456789abcdef0123456789abcdef01234567";
    const signed = await repo.plumb([
      "approve",
      "plan.json",
      "--key",
      key("alice"),
      "--policy-base",
      missing,
    ]);
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stderr).toContain("PLB919");
    expect(signed.stderr).toContain("this tree's policy only");
    expect(signed.stdout).toContain("1 distinct approval(s); policies.yml requires 1");
    const check = await repo.plumb(["approve", "plan.json", "--check", "--policy-base", missing]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("error[PLB919]");
  }, 120_000);
});
