// plan/apply/snapshot/import on the real daemon, through the built CLI: create → no-op →
// update → restart-required update → orphan → rollback, a stale saved plan, lock contention
// between processes, objects plumb does not own, and the import round trip. One estate per
// suite, unique names, everything removed afterwards.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncusDriver } from "../../reconcilers/drivers/incus/types.js";
import { IncusLock } from "../../reconcilers/lock/incus-lock.js";
import { processLockEnv } from "../../reconcilers/lock/process-env.js";
import {
  BASE,
  cleanupPrefix,
  driver,
  incus,
  plumb,
  plumbAsync,
  skip,
  teardownEstate,
  tempRepo,
  uniquePrefix,
  why,
  writeRepo,
} from "./reconcile-kit.js";

if (skip) console.warn(`reconcile integration tests${why}`);

const p = uniquePrefix();
const A = `${p}a`;
const B = `${p}b`;
const domainA = (cpu = "1", extra = "") => `${A}:
  description: Domain A
  profiles:
    tuned: {config: {limits.memory: 256MiB}}
  machines:
    ${A}-1: {config: {limits.cpu: "${cpu}"${extra}}}
    ${A}-2: {profiles: [default, tuned]}
`;
const domainB = (machines = `    ${B}-1: {}\n    ${B}-2: {}\n`) =>
  `${B}:\n  machines:\n${machines}`;

describe.skipIf(skip)(`reconcile on the real daemon${why}`, { timeout: 240_000 }, () => {
  let d: IncusDriver;
  let dir: string;
  const write = (files: Record<string, string>) => writeRepo(dir, files);
  const config = (project: string, name: string) =>
    incus("config", "show", name, "--project", project).stdout;

  beforeAll(() => {
    d = driver();
    dir = tempRepo({
      "infra/base.yml": BASE(`it-${p}`),
      "infra/domains/a.yml": domainA(),
      "infra/domains/b.yml": domainB(),
    });
  });
  afterAll(async () => {
    await teardownEstate(d, dir, p);
  }, 240_000);

  it("create: apply builds the estate; every object carries ownership labels", async () => {
    const r = await plumb(["apply", "--yes"], dir);
    expect(r.stderr).toContain("Apply complete: 11 done, 0 failed, 0 skipped.");
    expect(r.stderr).toContain("Re-plan: no changes left");
    expect(r.code).toBe(0);
    const list = JSON.parse(incus("list", "--project", A, "--format", "json").stdout) as {
      name: string;
      status: string;
      config: Record<string, string>;
    }[];
    expect(list.map((i) => [i.name, i.status])).toEqual([
      [`${A}-1`, "Running"],
      [`${A}-2`, "Running"],
    ]);
    for (const i of list) {
      expect(i.config["user.plumb.owner"]).toBe(`it-${p}`);
      expect(i.config["user.plumb.id"]).toBe(`instance/${A}/${i.name}`);
      expect(i.config["user.plumb.hash"]).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(incus("network", "get", `net-${A}`, "user.plumb.owner").stdout.trim()).toBe(`it-${p}`);
    expect(incus("network", "get", `net-${A}`, "ipv4.address").stdout.trim()).toBe("none");
    expect(incus("project", "get", A, "user.plumb.id").stdout.trim()).toBe(`project/${A}/${A}`);
  });

  it("no-op: a second plan finds nothing (exit 0 with --detailed-exitcode)", async () => {
    const r = await plumb(["plan", "--detailed-exitcode"], dir);
    expect(r.stdout).toContain("No changes. Live Incus matches the declared estate.");
    expect(r.code).toBe(0);
  });

  it("update: a field-level diff (exit 2), applied after a pre-apply snapshot", async () => {
    write({ "infra/domains/a.yml": domainA("2") });
    const planned = await plumb(["plan", "--detailed-exitcode"], dir);
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain(`~ config.limits.cpu: "1" → "2"`);
    expect(planned.stdout).toContain(
      "Plan: 0 to create, 1 to update, 0 to replace, 0 to start/stop, 0 to delete.",
    );
    const r = await plumb(["apply", "--yes"], dir);
    expect(r.code).toBe(0);
    expect(incus("config", "get", `${A}-1`, "limits.cpu", "--project", A).stdout.trim()).toBe("2");
    const snaps = incus("snapshot", "list", `${A}-1`, "--project", A, "--format", "csv").stdout;
    expect(snaps).toMatch(/pre-apply-\d{8}-\d{6}/);
    expect(readFileSync(join(dir, ".plumb/pre-apply-snapshots/latest-scope"), "utf8").trim()).toBe(
      "all",
    );
    expect((await plumb(["plan", "--detailed-exitcode"], dir)).code).toBe(0);
  });

  it("restart-required update: held back without --allow-restart (exit 2), applied with it", async () => {
    write({ "infra/domains/a.yml": domainA("2", ', limits.kernel.nofile: "4096"') });
    const planned = await plumb(["plan"], dir);
    expect(planned.stdout).toContain("restart required by: config.limits.kernel.nofile");
    const held = await plumb(["apply", "--yes"], dir);
    expect(held.stderr).toMatch(
      /skipped, needs a restart \(config\.limits\.kernel\.nofile\): run with --allow-restart/,
    );
    expect(held.code).toBe(2);
    expect(
      incus("config", "get", `${A}-1`, "limits.kernel.nofile", "--project", A).stdout.trim(),
    ).toBe("");
    const done = await plumb(["apply", "--yes", "--allow-restart"], dir);
    expect(done.code).toBe(0);
    expect(done.stderr).toContain("restarted");
    expect(
      incus("config", "get", `${A}-1`, "limits.kernel.nofile", "--project", A).stdout.trim(),
    ).toBe("4096");
    expect(
      JSON.parse(incus("list", `${A}-1`, "--project", A, "--format", "json").stdout)[0].status,
    ).toBe("Running");
  });

  it("orphan: a removed machine is reported, kept; deleted with auto_cleanup", async () => {
    write({ "infra/domains/b.yml": domainB(`    ${B}-1: {}\n`) });
    const planned = await plumb(["plan", "--detailed-exitcode"], dir);
    expect(planned.stdout).toContain(`? instance ${B}/${B}-2 is an orphan`);
    expect(planned.code).toBe(0);
    expect(incus("info", `${B}-2`, "--project", B).code).toBe(0);
    write({ "infra/base.yml": BASE(`it-${p}`, "  auto_cleanup: true\n") });
    const pruned = await plumb(["apply", "--yes"], dir);
    expect(pruned.stderr).toContain(`✓ delete instance ${B}/${B}-2`);
    expect(pruned.code).toBe(0);
    expect(incus("info", `${B}-2`, "--project", B).code).not.toBe(0);
  });

  it("rollback: a bad apply is undone by `snapshot rollback`", async () => {
    write({ "infra/domains/a.yml": domainA("3", ', limits.kernel.nofile: "4096"') });
    const bad = await plumb(["apply", "--yes"], dir);
    expect(bad.code).toBe(0);
    expect(incus("config", "get", `${A}-1`, "limits.cpu", "--project", A).stdout.trim()).toBe("3");
    const listed = await plumb(["snapshot", "rollback", "--list"], dir);
    expect(listed.stdout).toMatch(/pre-apply-\d{8}-\d{6} \(latest\)/);
    const r = await plumb(["snapshot", "rollback", "--yes"], dir);
    expect(r.stderr).toMatch(/Restored pre-apply-\d{8}-\d{6} on 1 instance\(s\)/);
    expect(r.code).toBe(0);
    expect(incus("config", "get", `${A}-1`, "limits.cpu", "--project", A).stdout.trim()).toBe("2");
    // The repo still says 3: the next plan shows the difference again.
    expect((await plumb(["plan", "--detailed-exitcode"], dir)).code).toBe(2);
    write({ "infra/domains/a.yml": domainA("2", ', limits.kernel.nofile: "4096"') });
    expect((await plumb(["plan", "--detailed-exitcode"], dir)).code).toBe(0);
  });

  it("a stale saved plan is refused before the first change (exit 3)", async () => {
    write({ "infra/domains/a.yml": domainA("4", ', limits.kernel.nofile: "4096"') });
    const saved = await plumb(["plan", "--out", "plan.json"], dir);
    expect(saved.code).toBe(0);
    expect(incus("config", "set", `${A}-2`, "limits.memory=300MiB", "--project", A).code).toBe(0);
    const before = config(A, `${A}-1`);
    // The estate directory is not a git repository: the plan binds no commit (--allow-dirty).
    const r = await plumb(["apply", "plan.json", "--yes", "--allow-dirty"], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("error[PLB711]: Saved plan is stale");
    expect(r.stderr).toContain(`instance:${A}/${A}-2`);
    expect(config(A, `${A}-1`)).toBe(before);
    // A fresh plan, applied as saved, goes through (and puts A-2 back).
    expect((await plumb(["plan", "--out", "plan.json"], dir)).code).toBe(0);
    const ok = await plumb(["apply", "plan.json", "--yes", "--allow-dirty"], dir);
    expect(ok.code).toBe(0);
    expect(incus("config", "get", `${A}-2`, "limits.memory", "--project", A).stdout.trim()).toBe(
      "",
    );
  });

  it("lock contention: a second process is refused (exit 4) with the holder's name and since when", async () => {
    // Another process (this test) holds the lock.
    const held = await IncusLock.acquire(d, {
      owner: "someone",
      run: "held-by-test",
      command: "plumb apply (test)",
      leaseMs: 60_000,
      env: processLockEnv(),
    });
    try {
      write({ "infra/domains/a.yml": domainA("1", ', limits.kernel.nofile: "4096"') });
      const r = await plumb(["apply", "--yes"], dir, { PLUMB_LOCK_TIMEOUT: "0" });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(
        new RegExp(
          `error\\[PLB712\\]: the apply lock is held by \`plumb apply \\(test\\)\` \\(run held-by-test, pid ${process.pid} on .+\\) since \\d{4}-`,
        ),
      );
      expect(incus("config", "get", `${A}-1`, "limits.cpu", "--project", A).stdout.trim()).toBe(
        "4",
      );
    } finally {
      await held.release();
    }
    // Two CLI processes: while the first holds the lock, the second is refused.
    write({
      "infra/domains/b.yml": domainB(
        Array.from({ length: 8 }, (_, i) => `    ${B}-${i + 1}: {}\n`).join(""),
      ),
    });
    const first = plumbAsync(["apply", "--yes", "--parallelism", "1"], dir);
    const holder = await waitForHolder(d, first.child.pid ?? -1);
    expect(holder).toBe(true);
    // Freeze the holder (alive, lease running) so the second one surely meets its lock.
    first.child.kill("SIGSTOP");
    let second: Awaited<ReturnType<typeof plumb>>;
    try {
      second = await plumb(["apply", "--yes"], dir, { PLUMB_LOCK_TIMEOUT: "0" });
    } finally {
      first.child.kill("SIGCONT");
    }
    const firstDone = await first.done;
    expect(second.code).toBe(4);
    expect(second.stderr).toContain(`pid ${first.child.pid} on`);
    expect(firstDone.code).toBe(0);
  });

  it("objects plumb does not own are never touched, even under declared names", async () => {
    const C = `${p}c`;
    // Someone else's project named like a declared domain, and an unlabelled instance under a
    // declared machine name inside a project plumb owns.
    expect(
      incus("project", "create", C, "-c", "features.profiles=true", "-c", "features.images=false")
        .code,
    ).toBe(0);
    expect(
      incus(
        "profile",
        "device",
        "add",
        "default",
        "root",
        "disk",
        "path=/",
        "pool=default",
        "--project",
        C,
      ).code,
    ).toBe(0);
    expect(incus("init", "plumb-busybox", `${C}-1`, "--project", C).code).toBe(0);
    expect(
      incus("init", "plumb-busybox", `${B}-9`, "--project", B, "-c", "limits.cpu=1").code,
    ).toBe(0);
    const before = [config(C, `${C}-1`), config(B, `${B}-9`), incus("project", "show", C).stdout];
    write({
      "infra/domains/c.yml": `${C}:\n  machines:\n    ${C}-1: {config: {limits.cpu: "2"}}\n`,
      "infra/domains/b.yml": domainB(`    ${B}-1: {}\n    ${B}-9: {config: {limits.cpu: "2"}}\n`),
    });
    const planned = await plumb(["plan"], dir);
    expect(planned.code).toBe(1);
    expect(planned.stdout).toContain(`! project ${C} conflicts with an object plumb does not own`);
    expect(planned.stdout).toContain(`! instance ${B}/${B}-9 conflicts`);
    expect(planned.stderr).toContain("error[PLB726]");
    const applied = await plumb(["apply", "--yes"], dir);
    expect(applied.code).toBe(1);
    expect([config(C, `${C}-1`), config(B, `${B}-9`), incus("project", "show", C).stdout]).toEqual(
      before,
    );
    // flush (in afterAll) leaves them too; remove them here, and the declarations.
    incus("delete", `${B}-9`, "--project", B, "--force");
    write({ "infra/domains/b.yml": domainB(`    ${B}-1: {}\n`) });
    rmSync(join(dir, "infra/domains/c.yml"));
  });
});

describe.skipIf(skip)(`import round trip on the real daemon${why}`, { timeout: 120_000 }, () => {
  const q = uniquePrefix();
  let d: IncusDriver;
  let out: string;
  beforeAll(() => {
    d = driver();
    out = join(tempRepo({}), "lab");
  });
  afterAll(async () => {
    await cleanupPrefix(d, q);
    d.close();
  });

  it("objects made by hand, imported, plan with no changes; plumb owns them afterwards", async () => {
    // A hand-made domain: project with its own profiles, an address-less bridge, a profile,
    // a running and a stopped instance with config, a device and delete protection.
    const P = `${q}x`;
    const run = (...a: string[]) => expect(incus(...a).code, a.join(" ")).toBe(0);
    run("network", "create", `net-${P}`, "ipv4.address=none", "ipv6.address=none");
    run("project", "create", P, "-c", "features.profiles=true", "-c", "features.images=false");
    run("project", "set", P, "--property", "description=Hand made");
    run("network", "set", `net-${P}`, "--property", "description=Hand made");
    run(
      "profile",
      "device",
      "add",
      "default",
      "root",
      "disk",
      "path=/",
      "pool=default",
      "--project",
      P,
    );
    run(
      "profile",
      "device",
      "add",
      "default",
      "eth0",
      "nic",
      `network=net-${P}`,
      "name=eth0",
      "--project",
      P,
    );
    run("profile", "create", "small", "--project", P);
    run("profile", "set", "small", "limits.memory=128MiB", "--project", P);
    run(
      "launch",
      "plumb-busybox",
      `${P}-1`,
      "--project",
      P,
      "-p",
      "default",
      "-p",
      "small",
      "-c",
      "limits.cpu=1",
      "-c",
      "security.protection.delete=true",
      "-c",
      "boot.autostart=true",
    );
    run("init", "plumb-busybox", `${P}-2`, "--project", P, "-c", "snapshots.expiry=7d");
    run(
      "config",
      "device",
      "add",
      `${P}-2`,
      "scratch",
      "disk",
      "source=/tmp",
      "path=/mnt/scratch",
      "--project",
      P,
    );
    const r = await plumb(
      ["import", "--out", out, "--name", `lab-${q}`, "--project", P, "--yes"],
      REPO_CWD(),
    );
    expect(r.stderr).toContain("shows no changes");
    expect(r.code).toBe(0);
    const base = readFileSync(join(out, "infra/base.yml"), "utf8");
    expect(base).toContain(`project_name: lab-${q}`);
    expect(base).toContain("default_os_image: plumb-busybox");
    const dom = readFileSync(join(out, `infra/domains/${P}.yml`), "utf8");
    expect(dom).toContain("boot_autostart: true");
    expect(dom).toContain("state: stopped");
    expect(dom).toContain("snapshots_expiry: 7d");
    const planned = await plumb(["plan", "--detailed-exitcode"], out, { PLUMB_IMAGE_MAP: "" });
    expect(planned.stdout).toContain("No changes.");
    expect(planned.code).toBe(0);
    expect(incus("config", "get", `${P}-1`, "user.plumb.owner", "--project", P).stdout.trim()).toBe(
      `lab-${q}`,
    );
    // And the imported estate is a normal one: a change plans and applies.
    writeRepo(out, {
      [`infra/domains/${P}.yml`]: dom.replace('limits.cpu: "1"', 'limits.cpu: "2"'),
    });
    expect((await plumb(["apply", "--yes"], out, { PLUMB_IMAGE_MAP: "" })).code).toBe(0);
    expect(incus("config", "get", `${P}-1`, "limits.cpu", "--project", P).stdout.trim()).toBe("2");
  });
});

/** import needs no estate: run it from a directory without infra/. */
function REPO_CWD(): string {
  return tempRepo({});
}

async function waitForHolder(d: IncusDriver, pid: number): Promise<boolean> {
  for (let i = 0; i < 400; i++) {
    const raw = (await d.getProject("default")).value.config["user.plumb.lock"];
    if (raw && (JSON.parse(raw) as { pid: number }).pid === pid) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}
