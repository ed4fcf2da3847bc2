// `plumb plan --changed-since <ref>` on a real git repository (built CLI, fake Incus): only the
// domains whose files changed since the merge base are planned; base.yml selects everything;
// the plan records base and head.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_YML, dataDomain, PlanRepo, webDomain } from "../kit/plan-repo.js";

describe("plan --changed-since", () => {
  let repo: PlanRepo;
  let base: string;

  beforeAll(async () => {
    repo = await PlanRepo.create();
    expect((await repo.plumb(["apply", "--yes"])).code).toBe(0);
    base = repo.git("rev-parse", "HEAD");
    repo.git("checkout", "-q", "-b", "feature");
  }, 60_000);
  afterAll(async () => {
    await repo.close();
  });

  it("plans only the domains whose files changed, and records base and head", async () => {
    repo.write({ "infra/domains/data.yml": dataDomain("512MiB"), "README.md": "x\n" });
    const head = repo.commit("data: more memory");

    const r = await repo.plumb(["plan", "--changed-since", "main", "--json"]);

    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.limit).toEqual(["data"]);
    expect(plan.git).toEqual({ head, base, clean: true, dirty: [] });
    expect(plan.changes.map((c: { id: string }) => c.id)).toEqual(["instance:data/db-1"]);
    expect(r.stderr).toContain("--changed-since main: data changed");
  });

  it("uncommitted domain edits count; base.yml selects every domain", async () => {
    repo.write({ "infra/domains/web.yml": webDomain("2") });
    const dirty = JSON.parse(
      (await repo.plumb(["plan", "--changed-since", "main", "--json"])).stdout,
    );
    expect(dirty.limit).toEqual(["data", "web"]);
    expect(dirty.git.clean).toBe(false);
    repo.write({ "infra/base.yml": `${BASE_YML}  auto_cleanup: false\n` });
    const all = await repo.plumb(["plan", "--changed-since", "main", "--json"]);
    expect(JSON.parse(all.stdout).limit).toBeNull();
    expect(all.stderr).toContain("infra/base.yml changed; planning every domain");
  });

  it("an unknown ref or an option-like ref is refused", async () => {
    expect((await repo.plumb(["plan", "--changed-since", "nope"])).stderr).toContain(
      "error[PLB919]",
    );
    expect((await repo.plumb(["plan", "--changed-since=--output=x"])).stderr).toContain(
      "error[PLB919]",
    );
    expect((await repo.plumb(["plan", "--changed-since", "main", "--limit", "web"])).code).toBe(1);
  });
});
