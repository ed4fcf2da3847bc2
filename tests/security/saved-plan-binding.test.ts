// Attack (issue 9 item 8, issue 11 item 2): a saved plan applied out of its context. Before the
// fix, a plan made by another estate applied silently; after the YAML changed and was committed,
// the old plan applied; a plan recorded `git.head` even with uncommitted edits; a saved empty plan
// applied after live drift said "No changes". Real temporary git repositories, the built CLI and
// the fake Incus.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_YML, PlanRepo, webDomain } from "../kit/plan-repo.js";

describe("saved plans are bound to their estate, commit and live state", () => {
  let repo: PlanRepo;

  beforeAll(async () => {
    repo = await PlanRepo.create();
    expect((await repo.plumb(["apply", "--yes"])).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await repo.close();
  });

  it("a plan made by another estate is refused (exit 3, PLB913)", async () => {
    const other = await PlanRepo.create({ "infra/base.yml": BASE_YML.replace("acme", "other") });
    try {
      other.write({ "infra/domains/web.yml": webDomain("3") });
      other.commit("other estate");
      expect((await other.plumb(["plan", "--out", "plan.json"])).code).toBe(0);
      repo.write({ "theirs.json": other.read("plan.json") });

      const r = await repo.plumb(["apply", "theirs.json", "--yes"]);

      expect(r.code).toBe(3);
      expect(r.stderr).toContain("error[PLB913]");
      expect(r.stderr).toContain("estate 'other'");
    } finally {
      await other.close();
    }
  });

  it("a plan made with uncommitted changes is marked, and refused without --allow-dirty", async () => {
    repo.write({ "infra/domains/web.yml": webDomain("2") });
    const planned = await repo.plumb(["plan", "--out", "dirty.json"]);
    expect(planned.stdout).toContain("+ uncommitted changes");
    const plan = repo.plan("dirty.json") as unknown as { git: { clean: boolean; dirty: string[] } };
    expect(plan.git.clean).toBe(false);
    expect(plan.git.dirty).toEqual(["infra/domains/web.yml"]);

    const r = await repo.plumb(["apply", "dirty.json", "--yes"]);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB915]");
    expect(repo.fake.count("PUT", "/1.0/instances")).toBe(0);
  });

  it("a clean plan is refused while the tree is dirty (PLB916)", async () => {
    repo.commit("web-1: 2 CPUs");
    expect((await repo.plumb(["plan", "--out", "plan.json"])).code).toBe(0);
    repo.write({ "infra/domains/web.yml": webDomain("2", "\n    web-3: {}") });

    const r = await repo.plumb(["apply", "plan.json", "--yes"]);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB916]");
    repo.git("checkout", "--", "infra/domains/web.yml");
  });

  it("after the YAML changed and was committed, the old plan is refused (PLB917)", async () => {
    const planned = repo.git("rev-parse", "HEAD");
    repo.write({ "infra/domains/web.yml": webDomain("5") });
    repo.commit("web-1: 5 CPUs");

    const r = await repo.plumb(["apply", "plan.json", "--yes"]);

    expect(r.code).toBe(3);
    expect(r.stderr).toContain("error[PLB917]");
    expect(r.stderr).toContain("infra/domains/web.yml");
    // Back on the plan's commit, plus a descendant that touches nothing bound: it applies.
    repo.git("reset", "-q", "--hard", planned);
    repo.write({ "README.md": "docs only\n" });
    repo.commit("docs");
    const ok = await repo.plumb(["apply", "plan.json", "--yes"]);
    expect(ok.stderr).toContain("Apply complete: 1 done");
    expect(ok.code).toBe(0);
  });

  it("a head that is not a descendant of the plan's commit is refused (PLB917)", async () => {
    repo.write({ "infra/domains/web.yml": webDomain("3") });
    repo.commit("web-1: 3 CPUs");
    expect((await repo.plumb(["plan", "--out", "plan.json"])).code).toBe(0);
    const main = repo.git("rev-parse", "HEAD");
    repo.git("checkout", "-q", "HEAD~1");
    repo.write({ "infra/domains/web.yml": webDomain("3") });
    repo.commit("same content, unrelated commit");

    const r = await repo.plumb(["apply", "plan.json", "--yes"]);

    expect(r.code).toBe(3);
    expect(r.stderr).toContain("error[PLB917]");
    expect(r.stderr).toContain("neither the plan's commit");
    repo.git("checkout", "-q", main);
  });

  it("a saved empty plan is checked for freshness: refused after live drift (PLB711)", async () => {
    expect((await repo.plumb(["apply", "plan.json", "--yes"])).code).toBe(0);
    const empty = await repo.plumb(["plan", "--out", "empty.json"]);
    expect(empty.stdout).toContain("No changes.");
    const live = await repo.driver.getInstance("web", "web-2");
    await repo.driver.updateInstance(
      "web",
      "web-2",
      { ...live.value, config: { ...live.value.config, "limits.memory": "64MiB" } },
      live.etag,
    );

    const r = await repo.plumb(["apply", "empty.json", "--yes"]);

    expect(r.code).toBe(3);
    expect(r.stderr).toContain("error[PLB711]");
    expect(r.stderr).toContain("instance:web/web-2");
  });
});
