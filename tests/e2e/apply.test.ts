// End-to-end on the fake Incus (built CLI as a child process): unlock, the snapshot commands,
// pre-apply rollback and retention, flush — exit codes, messages, and what reaches Incus.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectIncus } from "../../reconcilers/drivers/incus/connect.js";
import type { IncusApiDriver } from "../../reconcilers/drivers/incus/incus-api-driver.js";
import { FakeIncusServer } from "../../reconcilers/drivers/incus/testing/fake-incus-server.js";
import { IncusLock, readLock } from "../../reconcilers/lock/incus-lock.js";
import { fakeIncusEnv, runPlumb } from "../kit/cli.js";

const ESTATE = `project_name: e2e
global:
  addressing: {base_octet: 10}
  default_os_image: images:debian/13
domains:
  web:
    machines:
      web-1: {config: {limits.cpu: "1"}}
      web-2: {}
`;

describe("apply, snapshot, unlock, flush (built CLI, fake Incus)", () => {
  let fake: FakeIncusServer;
  let d: IncusApiDriver;
  let dir: string;
  const plumb = (args: string[]) =>
    runPlumb(args, { cwd: dir, env: { ...fakeIncusEnv(fake.socketPath) } });

  beforeAll(async () => {
    fake = await FakeIncusServer.start();
    d = connectIncus({ kind: "unix", socketPath: fake.socketPath });
    dir = mkdtempSync(join(tmpdir(), "plumb-e2e-apply-"));
    writeFileSync(join(dir, "infra.yml"), ESTATE);
    mkdirSync(join(dir, "inventory"));
    writeFileSync(
      join(dir, "inventory", "web.yml"),
      "# === MANAGED BY infra.yml ===\nall: {}\n# === END MANAGED ===\n",
    );
    writeFileSync(join(dir, "inventory", "mine.yml"), "all: {}\n");
    expect((await plumb(["apply", "--yes"])).code).toBe(0);
  });
  afterAll(async () => {
    d.close();
    await fake.close();
  });

  it("unlock: nothing held; then shows the holder, refuses without a terminal, removes it with --yes", async () => {
    expect((await plumb(["unlock"])).stderr).toContain("No apply lock is held.");
    const env = { host: "elsewhere", pid: 99, now: () => new Date(), processStart: () => "1" };
    await IncusLock.acquire(d, {
      owner: "e2e",
      run: "stuck-run",
      command: "plumb apply",
      leaseMs: 600_000,
      env,
    });
    const refused = await plumb(["unlock"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "held by `plumb apply` (run stuck-run, pid 99 on elsewhere, estate e2e)",
    );
    expect(refused.stderr).toContain("error[PLB718]");
    const blocked = await plumb(["apply", "--yes"]);
    expect(blocked.code).toBe(0); // nothing to do: no lock needed
    const removed = await plumb(["unlock", "--yes"]);
    expect(removed.code).toBe(0);
    expect(removed.stderr).toContain("Lock removed.");
    expect(await readLock(d)).toBeUndefined();
  });

  it("snapshot create/list/restore/delete find the instance's project by its name", async () => {
    const created = await plumb(["snapshot", "create", "web-1"]);
    expect(created.stderr).toMatch(/Created snap-\d{8}-\d{6} of web\/web-1\./);
    expect((await plumb(["snapshot", "create", "web-1", "before-upgrade"])).code).toBe(0);
    const listed = await plumb(["snapshot", "list", "web-1"]);
    expect(listed.stdout).toMatch(/web\/web-1 {2}before-upgrade/);
    expect((await plumb(["snapshot", "restore", "web-1", "before-upgrade"])).stderr).toContain(
      "Restored web/web-1 to before-upgrade.",
    );
    expect((await plumb(["snapshot", "delete", "web-1", "before-upgrade"])).code).toBe(0);
    expect((await d.listSnapshots("web", "web-1")).map((s) => s.name)).not.toContain(
      "before-upgrade",
    );
    const missing = await plumb(["snapshot", "create", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error[PLB721]");
    const self = await plumb(["snapshot", "create", "self"]);
    expect(self.stderr).toContain(`no instance named ${hostname()} (this machine's hostname)`);
  });

  it("rollback restores the latest pre-apply snapshot on the instances that have it; retention", async () => {
    writeFileSync(join(dir, "infra.yml"), ESTATE.replace('"1"', '"2"'));
    const applied = await plumb(["apply", "--yes"]);
    expect(applied.stderr).toMatch(
      /snapshot pre-apply-\d{8}-\d{6} of 1\/1 instance\(s\) the plan touches/,
    );
    expect((await d.getInstance("web", "web-1")).value.config["limits.cpu"]).toBe("2");
    expect(existsSync(join(dir, ".plumb/pre-apply-snapshots/latest"))).toBe(true);
    const r = await plumb(["snapshot", "rollback", "--yes"]);
    expect(r.stderr).toMatch(/Restored pre-apply-\d{8}-\d{6} on 1 instance\(s\): web-1/);
    expect(r.stderr).toContain("1 instance(s) of the estate do not have it (skipped).");
    const none = await plumb(["snapshot", "rollback", "19990101-000000", "--yes"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("error[PLB720]");
    const cleaned = await plumb(["snapshot", "rollback", "--cleanup", "--keep", "0"]);
    expect(cleaned.stderr).toContain("Deleted 1 pre-apply snapshot(s)");
    expect(
      (await d.listSnapshots("web", "web-1")).some((s) => s.name.startsWith("pre-apply-")),
    ).toBe(false);
  });

  it("flush needs --force; then removes what the estate owns and its generated files only", async () => {
    const refused = await plumb(["flush"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error[PLB723]");
    const r = await plumb(["flush", "--force"]);
    expect(r.stderr).toContain("deleted 1 generated file(s)");
    expect(r.code).toBe(0);
    expect((await d.listProjects()).map((p) => p.name)).toEqual(["default"]);
    expect(existsSync(join(dir, "inventory", "web.yml"))).toBe(false);
    expect(existsSync(join(dir, "inventory", "mine.yml"))).toBe(true);
  });
});
