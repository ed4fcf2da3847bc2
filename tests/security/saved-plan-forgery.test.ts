// Attack (issue 9 item 8): a saved plan is a claim. Before the fix, a plan edited by hand with its
// digest recomputed was applied — the human output showed one value while apply wrote another —
// and an added `delete` removed a declared, delete-protected instance. Now apply re-derives the
// plan from the repository and live Incus and refuses (exit 3, PLB912) unless it is the same plan
// change for change; nothing reaches Incus.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlanRepo, webDomain } from "../kit/plan-repo.js";

describe("a forged saved plan (digest recomputed)", () => {
  let repo: PlanRepo;

  beforeAll(async () => {
    repo = await PlanRepo.create();
    expect((await repo.plumb(["apply", "--yes"])).code).toBe(0);
    repo.write({ "infra/domains/web.yml": webDomain("2") });
    repo.commit("web-1: 2 CPUs");
    expect((await repo.plumb(["plan", "--out", "plan.json"])).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await repo.close();
  });

  it("a value edited in what apply executes (not in what reviewers see) is refused", async () => {
    const plan = repo.plan();
    const update = plan.changes.find((c) => c.id === "instance:web/web-1") as {
      desired: { config: Record<string, string> };
      fields: { after: string }[];
    };
    expect(update.fields[0]?.after).toBe("2");
    update.desired.config["limits.cpu"] = "64";
    repo.forge(plan);
    const puts = repo.fake.count("PUT", "/1.0/instances");

    const r = await repo.plumb(["apply", "forged.json", "--yes"]);

    expect(r.stderr).toContain("error[PLB912]");
    expect(r.stderr).toContain("change 1 (update instance:web/web-1) differs");
    expect(r.code).toBe(3);
    expect(repo.fake.count("PUT", "/1.0/instances")).toBe(puts);
    const live = await repo.driver.getInstance("web", "web-1");
    expect(live.value.config["limits.cpu"]).toBe("1");
  });

  it("an added delete of a declared, delete-protected instance is refused", async () => {
    const plan = repo.plan();
    const web2 = await repo.driver.getInstance("web", "web-2");
    expect(web2.value.config["security.protection.delete"]).toBe("true");
    plan.changes.push({
      id: "instance:web/web-2",
      ref: { kind: "instance", project: "web", name: "web-2" },
      deps: [],
      action: "delete",
      reason: "orphan (auto_cleanup)",
    });
    repo.forge(plan);

    const r = await repo.plumb(["apply", "forged.json", "--yes"]);

    expect(r.code).toBe(3);
    expect(r.stderr).toContain("error[PLB912]");
    expect(r.stderr).toContain("not in the plan derived now: delete instance:web/web-2");
    expect(repo.fake.count("DELETE", "/1.0/instances")).toBe(0);
    expect((await repo.driver.getInstance("web", "web-2")).value.name).toBe("web-2");
  });

  it("the genuine plan applies", async () => {
    const r = await repo.plumb(["apply", "plan.json", "--yes"]);

    expect(r.stderr).toContain("Apply complete: 1 done");
    expect(r.code).toBe(0);
  });
});
