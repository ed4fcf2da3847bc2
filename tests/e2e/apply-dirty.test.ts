// `plumb apply` without a saved plan on a tree with uncommitted changes under infra/, templates/
// or keys/: applies (an operator's choice), but warns naming the files and records dirty: true
// in the audit trail; a committed tree records dirty: false. Built CLI, real git, fake Incus.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditPath } from "../../core/audit/append.js";
import { verifyAuditText } from "../../core/audit/verify.js";
import { PlanRepo, webDomain } from "../kit/plan-repo.js";

describe("apply of an uncommitted working tree (built CLI, real git)", () => {
  let repo: PlanRepo;
  beforeAll(async () => {
    repo = await PlanRepo.create();
  }, 60_000);
  afterAll(async () => {
    await repo.close();
  });
  const starts = () =>
    verifyAuditText(readFileSync(auditPath(repo.dir), "utf8")).entries.filter(
      (e) => e.type === "apply.start",
    );

  it("warns naming the files and records dirty: true; a committed tree records dirty: false", async () => {
    repo.write({ "infra/domains/web.yml": webDomain("2"), "keys/notes.txt": "untracked\n" });
    const r = await repo.plumb(["apply", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("warning: applying uncommitted changes:");
    expect(r.stderr).toContain("infra/domains/web.yml");
    expect(r.stderr).toContain("keys/notes.txt");
    expect(starts().at(-1)?.payload).toMatchObject({
      dirty: true,
      dirty_paths: expect.arrayContaining(["infra/domains/web.yml", "keys/notes.txt"]),
    });

    repo.write({ "infra/domains/web.yml": webDomain("3") });
    repo.commit("web: 3 cpus");
    const clean = await repo.plumb(["apply", "--yes"]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stderr).not.toContain("uncommitted");
    expect(starts().at(-1)?.payload.dirty).toBe(false);
    expect(starts().at(-1)?.payload.dirty_paths).toBeUndefined();
  }, 120_000);

  it("--json prints no warning but still records it", async () => {
    repo.write({ "infra/domains/web.yml": webDomain("4") });
    const r = await repo.plumb(["apply", "--yes", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("warning");
    expect(JSON.parse(r.stdout).ok).toBe(true);
    expect(starts().at(-1)?.payload).toMatchObject({ dirty: true });
  }, 120_000);
});
