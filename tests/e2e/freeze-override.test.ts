// Change freeze with a real keyring (ssh-keygen keys, `plumb keys`), real git and the fake Incus:
// inside a freeze, apply of a saved plan is refused (PLB950); an emergency override is refused
// while the plan holds fewer than override_approvals distinct approvals (PLB952), then applies
// with two and leaves a P0 freeze.override audit event naming the approvers.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditPath } from "../../core/audit/append.js";
import { verifyAuditText } from "../../core/audit/verify.js";
import { PlanRepo, webDomain } from "../kit/plan-repo.js";

const policies = () => {
  const now = Date.now();
  return `change_freeze:
  override_approvals: 2
  windows:
    - reason: release week
      from: "${new Date(now - 3_600_000).toISOString()}"
      until: "${new Date(now + 3_600_000).toISOString()}"
`;
};

describe("freeze override with approvals (built CLI)", () => {
  let repo: PlanRepo;
  const key = (name: string) => join(repo.dir, "keyfiles", name);

  beforeAll(async () => {
    repo = await PlanRepo.create({});
    mkdirSync(join(repo.dir, "keyfiles"));
    for (const n of ["admin", "alice", "bob"])
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", n, "-f", key(n)]);
    const keys = [
      ["keys", "init", "--pub", `${key("admin")}.pub`, "--org", "acme"],
      ["keys", "sign-keyring", "--key", key("admin")],
      ["keys", "trust", `${key("alice")}.pub`, "--principal", "alice", "--role", "approver"],
      ["keys", "trust", `${key("bob")}.pub`, "--principal", "bob", "--role", "approver"],
      ["keys", "sign-keyring", "--key", key("admin")],
    ];
    for (const args of keys) expect((await repo.plumb(args)).code, args.join(" ")).toBe(0);
    repo.commit("keyring with approvers");
    expect((await repo.plumb(["apply", "--yes"])).code).toBe(0);
    repo.write({ "infra/policies.yml": policies(), "infra/domains/web.yml": webDomain("2") });
    repo.commit("freeze, and a change during it");
    expect((await repo.plumb(["plan", "--out", "plan.json"])).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await repo.close();
  });

  it("refused inside the freeze; an override needs two approvals; with them it applies, audited P0", async () => {
    const frozen = await repo.plumb(["apply", "plan.json", "--yes"]);
    expect(frozen.code).toBe(1);
    expect(frozen.stderr).toContain("error[PLB950]");
    expect(frozen.stderr).toContain("release week");

    const none = await repo.plumb(["apply", "plan.json", "--yes", "--freeze-override", "CVE fix"]);
    expect(none.stderr).toContain("error[PLB952]");
    expect(none.stderr).toContain("it has 0");

    expect((await repo.plumb(["approve", "plan.json", "--key", key("alice")])).code).toBe(0);
    const one = await repo.plumb(["apply", "plan.json", "--yes", "--freeze-override", "CVE fix"]);
    expect(one.stderr).toContain("error[PLB952]");
    expect(one.stderr).toContain("it has 1");
    expect(repo.fake.count("PUT", "/1.0/instances")).toBe(0);

    expect((await repo.plumb(["approve", "plan.json", "--key", key("bob")])).code).toBe(0);
    const two = await repo.plumb(["apply", "plan.json", "--yes", "--freeze-override", "CVE fix"]);
    expect(two.code, two.stderr).toBe(0);

    const log = verifyAuditText(readFileSync(auditPath(repo.dir), "utf8"));
    expect(log.ok).toBe(true);
    const override = log.entries.find((e) => e.type === "freeze.override");
    expect(override).toMatchObject({ priority: "P0", payload: { reason: "CVE fix" } });
    expect((override?.payload.approvers as string[] | undefined)?.length).toBe(2);
    const start = log.entries.findIndex(
      (e) => e.type === "apply.start" && e.seq > (override?.seq ?? 0),
    );
    expect(start).toBeGreaterThan(-1); // the override is recorded before the apply starts
    // One refusal per refused run: the guard records PLB952 (with approvers and threshold) and
    // apply's error handler does not record it again.
    expect(log.entries.filter((e) => e.type === "refusal").map((e) => e.payload.code)).toEqual([
      "PLB950",
      "PLB952",
      "PLB952",
    ]);
  }, 120_000);
});
