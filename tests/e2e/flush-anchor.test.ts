// `plumb flush` removes the estate's own audit anchor (`user.plumb.audit_head.<estate>` on the
// default project) and no other estate's: built CLI, real git, the fake Incus. The test kit's
// cleanup removes exactly the anchors of a test's own estates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anchorKey } from "../../core/audit/anchor.js";
import { estateOfPrefix, removeAuditAnchors } from "../kit/audit-anchors.js";
import { PlanRepo } from "../kit/plan-repo.js";

describe("flush and the audit anchor (built CLI)", () => {
  let repo: PlanRepo;
  beforeAll(async () => {
    repo = await PlanRepo.create();
  }, 60_000);
  afterAll(async () => {
    await repo.close();
  });

  const config_ = async () => (await repo.driver.getProject("default")).value.config;

  it("apply anchors the head; flush --force removes that key and leaves another estate's", async () => {
    const applied = await repo.plumb(["apply", "--yes"]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(Object.keys(await config_())).toContain(anchorKey("acme"));
    // Another estate's anchor on the same daemon.
    const { value, etag } = await repo.driver.getProject("default");
    const other = anchorKey("acme-other");
    await repo.driver.updateProject(
      "default",
      { description: value.description, config: { ...value.config, [other]: '{"seq":1}' } },
      etag,
    );
    const flushed = await repo.plumb(["flush", "--force"]);
    expect(flushed.code, flushed.stderr).toBe(0);
    const after = await config_();
    expect(Object.keys(after)).not.toContain(anchorKey("acme"));
    expect(after[other]).toBe('{"seq":1}');
  }, 120_000);

  it("the test kit removes the anchors of the test's own estates only", async () => {
    expect(estateOfPrefix("it-tab12c", "tab12c")).toBe(true);
    expect(estateOfPrefix("tab12c-job", "tab12c")).toBe(true);
    expect(estateOfPrefix("it-tab12cd", "tab12c")).toBe(false);
    const { value, etag } = await repo.driver.getProject("default");
    const mine = [anchorKey("crash-tzz99q"), anchorKey("tzz99q-job")];
    const theirs = anchorKey("crash-tzz99qx");
    const config = { ...value.config, [theirs]: "{}" };
    for (const k of mine) config[k] = "{}";
    await repo.driver.updateProject("default", { description: value.description, config }, etag);
    expect((await removeAuditAnchors(repo.driver, "tzz99q")).sort()).toEqual(mine.sort());
    const after = await config_();
    for (const k of mine) expect(Object.keys(after)).not.toContain(k);
    expect(after[theirs]).toBe("{}");
    expect(await removeAuditAnchors(repo.driver, "tzz99q")).toEqual([]);
  });
});
