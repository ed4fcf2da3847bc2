// One plan across Incus objects and generated files (issue 12 item 3): the plan lists the Ansible
// files `plumb generate --check` finds, in the same document, digest, exit code, human and
// markdown output; a saved plan whose file list was edited is refused like any other edit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlanRepo, webDomain } from "../kit/plan-repo.js";

describe("plan: generated files", () => {
  let repo: PlanRepo;

  beforeAll(async () => {
    repo = await PlanRepo.create();
    expect((await repo.plumb(["generate"])).code).toBe(0);
    repo.commit("generated tree");
    expect((await repo.plumb(["apply", "--yes"])).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await repo.close();
  });

  it("an up-to-date tree and live Incus: no files, exit 0", async () => {
    const r = await repo.plumb(["plan", "--detailed-exitcode", "--json"]);
    expect(JSON.parse(r.stdout).files).toEqual([]);
    expect(r.code).toBe(0);
  });

  it("a new machine: the instance and its files in one plan, one exit code, every format", async () => {
    repo.write({ "infra/domains/web.yml": webDomain("1", "\n    web-3: {}") });
    repo.commit("web-3");

    const json = await repo.plumb(["plan", "--json"]);
    const plan = JSON.parse(json.stdout);
    const files = plan.files.map((f: { action: string; path: string }) => `${f.action} ${f.path}`);
    expect(files).toContain("create host_vars/web-3.yml");
    expect(files).toContain("update inventory/web.yml");
    expect(plan.summary.files).toBe(plan.files.length);
    for (const f of plan.files) expect(f.after ?? f.reason).toBeDefined();

    const human = await repo.plumb(["plan", "--detailed-exitcode"]);
    expect(human.code).toBe(2);
    expect(human.stdout).toContain("  + file host_vars/web-3.yml will be created");
    expect(human.stdout).toMatch(
      / {2}~ file inventory\/web\.yml will be updated \(\+\d+ -\d+ lines\)/,
    );
    expect(human.stdout).toContain("run `plumb generate` and commit them");

    const md = await repo.plumb(["plan", "--format", "markdown"]);
    expect(md.stdout).toContain("<details><summary>Generated files (");
    expect(md.stdout).toContain("+ file host_vars/web-3.yml will be created");
  });

  it("a saved plan whose file list was edited is refused (PLB912)", async () => {
    expect((await repo.plumb(["plan", "--out", "plan.json"])).code).toBe(0);
    const plan = repo.plan() as unknown as { files: unknown[] };
    plan.files = [];
    repo.forge(plan as unknown as Record<string, unknown>);

    const r = await repo.plumb(["apply", "forged.json", "--yes"]);

    expect(r.code).toBe(3);
    expect(r.stderr).toContain("files differs");
  });

  it("only files out of date: plan exits 2; after generate, 0", async () => {
    expect((await repo.plumb(["apply", "--yes"])).code).toBe(0);
    const r = await repo.plumb(["plan", "--detailed-exitcode"]);
    expect(r.stdout).toContain("No changes. Live Incus matches the declared estate.");
    expect(r.code).toBe(2);
    expect((await repo.plumb(["generate"])).code).toBe(0);
    expect((await repo.plumb(["plan", "--detailed-exitcode"])).code).toBe(0);
  });
});
