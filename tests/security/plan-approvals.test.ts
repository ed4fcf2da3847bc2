// Attack (issue 11 item 3): a pull request adds host access (`raw.lxc`, a disk with `source: /`);
// before the fix it validated, planned with no warning and applied. Now the plan marks HOST
// ACCESS, apply refuses a plan lacking the approvals policies.yml requires (saying who may approve
// and how many more), an approval by a key without the approver role or over another plan's digest
// does not count, and host access in a domain whose trust level the policy forbids is refused
// whatever the approvals. Real keyring (built with `plumb keys`, ssh-keygen keys), real git.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlanRepo, webDomain } from "../kit/plan-repo.js";

const POLICIES = `approvals:
  required:
    host_access: 1
    delete: 2
  forbid_host_access: [untrusted]
`;
const DATA = (extra = "") => `data:
  trust_level: untrusted
  machines:
    db-1: {config: {limits.memory: "256MiB"}${extra}}
`;

describe("approvals over the plan digest", () => {
  let repo: PlanRepo;
  const key = (name: string) => join(repo.dir, "keyfiles", name);

  beforeAll(async () => {
    repo = await PlanRepo.create({
      "infra/policies.yml": POLICIES,
      "infra/domains/data.yml": DATA(),
    });
    mkdirSync(join(repo.dir, "keyfiles"));
    for (const n of ["admin", "alice", "bob", "carol"])
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", n, "-f", key(n)]);
    const keys = [
      ["keys", "init", "--pub", `${key("admin")}.pub`, "--org", "acme"],
      ["keys", "sign-keyring", "--key", key("admin")],
      ["keys", "trust", `${key("alice")}.pub`, "--principal", "alice", "--role", "approver"],
      ["keys", "trust", `${key("bob")}.pub`, "--principal", "bob", "--role", "approver"],
      ["keys", "trust", `${key("carol")}.pub`, "--principal", "carol", "--role", "contract"],
      ["keys", "sign-keyring", "--key", key("admin")],
    ];
    for (const args of keys) expect((await repo.plumb(args)).code, args.join(" ")).toBe(0);
    repo.commit("keyring with approvers");
    expect((await repo.plumb(["apply", "--yes"])).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await repo.close();
  });

  it("a raw.lxc key is marked HOST ACCESS and needs an approval; who may approve is named", async () => {
    repo.write({
      "infra/domains/web.yml": webDomain("1").replace(
        'limits.cpu: "1"',
        'limits.cpu: "1", raw.lxc: "lxc.mount.entry = / mnt/host none rbind"',
      ),
    });
    repo.commit("web-1: raw.lxc");
    const planned = await repo.plumb(["plan", "--out", "plan.json"]);
    expect(planned.stdout).toContain("! HOST ACCESS config.raw.lxc");
    expect(planned.stdout).toContain("Needs 1 approval(s) before apply (host-access 1)");
    const md = await repo.plumb(["plan", "--format", "markdown"]);
    expect(md.stdout).toContain("**HOST ACCESS**");

    const r = await repo.plumb(["apply", "plan.json", "--yes"]);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB920]");
    expect(r.stderr).toContain("0 of 1 required approval(s) (host-access needs 1); 1 more needed");
    // `keys init` makes the first key an approver as well.
    expect(r.stderr).toMatch(
      /who may approve: admin \(SHA256:[^)]+\), alice \(SHA256:[^)]+\), bob/,
    );
    expect(repo.fake.count("PUT", "/1.0/instances")).toBe(0);
  });

  it("a key without the approver role cannot approve", async () => {
    const r = await repo.plumb(["approve", "plan.json", "--key", key("carol")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB923]");
  });

  it("an approval copied from another plan (another digest) does not count", async () => {
    expect((await repo.plumb(["plan", "--out", "other.json"])).code).toBe(0);
    expect((await repo.plumb(["approve", "other.json", "--key", key("alice")])).code).toBe(0);
    const plan = repo.plan();
    plan.approvals = repo.plan("other.json").approvals;
    repo.write({ "plan.json": JSON.stringify(plan) });

    const r = await repo.plumb(["apply", "plan.json", "--yes"]);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB920]");
    expect(r.stderr).toContain("1 approval(s) ignored");
  });

  it("an approver's signature over the digest lets it apply", async () => {
    const plan = repo.plan();
    delete plan.approvals;
    repo.write({ "plan.json": JSON.stringify(plan) });
    const approved = await repo.plumb(["approve", "plan.json", "--key", key("alice")]);
    expect(approved.stdout).toContain("1 distinct approval(s); policies.yml requires 1");

    // raw.lxc takes effect on restart: the update needs --allow-restart.
    const r = await repo.plumb(["apply", "plan.json", "--yes", "--allow-restart"]);

    expect(r.stderr).toContain("approved by alice (1 of 1 required)");
    expect(r.code).toBe(0);
  });

  it("host access in a domain whose trust level is forbidden is refused whatever the approvals", async () => {
    repo.write({
      "infra/domains/data.yml": DATA(
        ", devices: {hostroot: {type: disk, source: /, path: /mnt/host}}",
      ),
    });
    repo.commit("db-1: the host's root");
    expect((await repo.plumb(["plan", "--out", "plan.json"])).stdout).toContain(
      "Host access is forbidden for instance:data/db-1 (trust level untrusted)",
    );
    for (const who of ["alice", "bob"])
      expect((await repo.plumb(["approve", "plan.json", "--key", key(who)])).code).toBe(0);

    const r = await repo.plumb(["apply", "plan.json", "--yes"]);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB921]");
    const db = await repo.driver.getInstance("data", "db-1");
    expect(db.value.devices.hostroot).toBeUndefined();
  });
});
