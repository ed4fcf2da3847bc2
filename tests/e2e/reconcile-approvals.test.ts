// The reconcile job's approvals step enforces: a plan lacking approvals stops the job with exit 6
// before the lock (the apply step never starts), saying how many more and who may approve; the
// policy before the merge binds (its first parent); approving PR reviews count with --pr.
// scripts/reconcile.mjs with the built CLI, a real git repository, the fake Incus and the local
// GitHub server.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditPath } from "../../core/audit/append.js";
import { verifyAuditText } from "../../core/audit/verify.js";
import { FakeGithub } from "../kit/fake-github.js";
import { PlanRepo, type Ran, webDomain } from "../kit/plan-repo.js";

const JOB = join(import.meta.dirname, "..", "..", "scripts", "reconcile.mjs");

describe("reconcile job: approvals enforced before the lock", () => {
  let repo: PlanRepo;
  let gh: FakeGithub;
  let head: string;

  const job = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [JOB, "--root", repo.dir, ...args],
        {
          cwd: repo.dir,
          env: {
            ...process.env,
            NO_COLOR: "1",
            INCUS_SOCKET: repo.fake.socketPath,
            PLUMB_BRIDGE_ADDRESSES: "none",
            PLUMB_IMAGE_MAP: "images:debian/13=plumb-busybox",
            PLUMB_LOCK_TIMEOUT: "120",
            PLUMB_STATE_HOME: join(repo.dir, ".state"),
            GITHUB_TOKEN: "",
            ...env,
          },
        },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const runState = (stderr: string) => {
    const run = /reconcile run (\S+):/.exec(stderr)?.[1] as string;
    return JSON.parse(
      readFileSync(join(repo.dir, ".plumb", "runs", run, "reconcile.json"), "utf8"),
    );
  };

  beforeAll(async () => {
    repo = await PlanRepo.create();
    gh = await FakeGithub.start();
    expect((await repo.plumb(["generate"])).code).toBe(0);
    repo.write({
      "infra/policies.yml": "approvals:\n  required:\n    any: 1\n  github_reviewers: [alice]\n",
    });
    repo.commit("generated files; one approval for any change");
    expect((await repo.plumb(["apply", "--yes", "--pr", "1"])).code).toBe(1); // needs approval
    // The merged change lowers the bar to 0 in the same commit that changes web.
    repo.write({
      "infra/policies.yml": "approvals:\n  required:\n    any: 0\n  github_reviewers: [alice]\n",
      "infra/domains/web.yml": webDomain("2"),
    });
    expect((await repo.plumb(["generate"])).code).toBe(0);
    head = repo.commit("lower approvals to 0; change web");
    gh.setPull("acme", "infra", 3, "carol", head);
  }, 120_000);
  afterAll(async () => {
    await gh.close();
    await repo.close();
  });

  it("missing approvals: exit 6 at the approvals step, with who and how many; no lock, no change", async () => {
    const r = await job(["--unreviewed"]);
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toContain("✗ approvals");
    expect(r.stderr).toContain("0 of 1 required approval(s)");
    expect(r.stderr).toContain("1 more needed");
    expect(r.stderr).toContain("who may approve");
    const state = runState(r.stderr);
    expect(state.facts.policyBase).toBe(repo.git("rev-parse", "HEAD^1"));
    expect(state.steps.approvals.status).toBe("failed");
    expect(state.steps["freeze-check"].status).toBe("pending");
    expect(state.steps.apply.status).toBe("pending");
    expect(repo.fake.count("POST", "/1.0/instances")).toBe(0);
    expect(repo.fake.count("PUT", "/1.0/instances")).toBe(0);
    const log = verifyAuditText(readFileSync(auditPath(repo.dir), "utf8"));
    expect(log.ok).toBe(true);
    expect(
      log.entries.some(
        (e) =>
          e.type === "reconcile.step" &&
          e.payload.step === "approvals" &&
          e.payload.status === "failed",
      ),
    ).toBe(true);
    expect(log.entries.some((e) => e.type === "lock.acquire")).toBe(false);
  }, 180_000);

  it("an approving review of the commit by a listed login lets the job apply; the apply's phases are recorded", async () => {
    gh.review("acme", "infra", 3, "alice", "APPROVED", head);
    const r = await job(["--unreviewed", "--pr", "3", "--repo", "acme/infra"], {
      GITHUB_TOKEN: "test-token",
      GITHUB_API_URL: gh.url,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("approved by github:alice (1 of 1 required)");
    const state = runState(r.stderr);
    expect(state.steps.apply.status).toBe("done");
    const [phases] = state.steps.apply.phases;
    expect(phases.lock.at).toEqual(expect.any(String));
    // a fresh estate (everything created) snapshots nothing; the phase says so, like the report
    expect(phases.snapshots?.name ?? null).toBe(state.facts.snapshot);
    expect(phases.changes).toMatchObject({ done: state.facts.done, failed: 0 });
    expect(state.facts.done).toBeGreaterThan(0);
    expect(phases.unlocked).toEqual(expect.any(String));
    expect(repo.fake.count("POST", "/1.0/instances")).toBeGreaterThan(0);
  }, 180_000);
});
