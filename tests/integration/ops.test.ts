// Issue 10 (ops items) on the real daemon through the built CLI: site settings written by the
// sandbox script are all a plain plan/apply needs; snapshot commands act only on the estate's
// own instances and take the apply lock; a no-op apply releases a dead run's lock; images and
// unmanaged instances are caught or named at plan time. Unique names, everything removed after.
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncusDriver } from "../../reconcilers/drivers/incus/types.js";
import { IncusLock, readLock } from "../../reconcilers/lock/incus-lock.js";
import { processLockEnv, processStart } from "../../reconcilers/lock/process-env.js";
import {
  BASE,
  cleanupPrefix,
  driver,
  incus,
  plumb,
  REPO,
  skip,
  tempRepo,
  uniquePrefix,
  why,
  writeRepo,
} from "./reconcile-kit.js";

if (skip) console.warn(`ops integration tests${why}`);

const p = uniquePrefix();
const D = `${p}d`;
/** Nothing from the caller's shell: the settings must come from .plumb/site.yml alone. */
const NO_SITE_ENV = { PLUMB_IMAGE_MAP: "", PLUMB_BRIDGE_ADDRESSES: "", PLUMB_LOCK_TIMEOUT: "120" };
const domain = (extra = "") => `${D}:\n  machines:\n    ${D}-1: {}\n    ${D}-2: {}\n${extra}`;

describe.skipIf(skip)(`ops on the real daemon${why}`, { timeout: 300_000 }, () => {
  let d: IncusDriver;
  let dir: string;
  const run = (args: string[]) => plumb(args, dir, NO_SITE_ENV);

  beforeAll(() => {
    d = driver();
    dir = tempRepo({
      "infra/base.yml": BASE(`ops-${p}`),
      "infra/domains/d.yml": domain(),
    });
  });
  afterAll(async () => {
    await plumb(["flush", "--force", "--lock-timeout", "120"], dir, NO_SITE_ENV).catch(
      () => undefined,
    );
    await cleanupPrefix(d, p);
    d.close();
  }, 180_000);

  it("site settings: the sandbox script writes .plumb/site.yml; a plain apply then plan shows 0 changes", async () => {
    const site = spawnSync(
      "bash",
      [
        join(REPO, "scripts", "incus-sandbox.sh"),
        "site",
        "--root",
        dir,
        "--bridge-addresses",
        "none",
      ],
      { encoding: "utf8" },
    );
    expect(site.status).toBe(0);
    const apply = await run(["apply", "--yes"]);
    expect(apply.code, apply.stderr).toBe(0);
    const plan = await run(["plan", "--detailed-exitcode"]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      "site: endpoint unix:/var/lib/incus/unix.socket; image map images:debian/13→plumb-busybox; bridge addresses none; pool default (from .plumb/site.yml)",
    );
    const json = JSON.parse((await run(["plan", "--json"])).stdout);
    expect(json.settings).toMatchObject({
      sources: [".plumb/site.yml"],
      bridgeAddresses: "none",
      imageMap: { "images:debian/13": "plumb-busybox" },
    });
    // The bridge really has no address (no NAT onto the host's network).
    expect(incus("network", "get", `net-${D}`, "ipv4.address").stdout.trim()).toBe("none");
  });

  it("snapshot create/restore/delete: the estate's instances only (PLB632), under the apply lock", async () => {
    // An instance made by hand inside the estate's own project, and one in the default project.
    expect(incus("init", "plumb-busybox", `${D}-hand`, "--project", D).code).toBe(0);
    expect(incus("init", "plumb-busybox", `${p}-other`).code).toBe(0);
    for (const name of [`${D}-hand`, `${p}-other`]) {
      const r = await run(["snapshot", "create", name, "s1"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("PLB632");
    }
    expect(incus("snapshot", "list", `${D}-hand`, "--project", D, "--format", "csv").stdout).toBe(
      "",
    );
    // Plan names the hand-made instance and leaves it alone.
    const plan = await run(["plan"]);
    expect(plan.stdout).toContain(
      `! 1 instance inside the estate's projects is not managed by plumb (left untouched): ${D}/${D}-hand`,
    );

    const own = `${D}-1`;
    expect((await run(["snapshot", "create", own, "s1"])).code).toBe(0);
    expect((await run(["snapshot", "restore", own, "s1", "--yes"])).code).toBe(0);

    // While another live run holds the apply lock, the snapshot command waits, then gives up.
    const holder = await IncusLock.acquire(d, {
      owner: `ops-${p}`,
      run: `${p}-holder`,
      command: "test holder",
      leaseMs: 60_000,
      waitMs: 120_000,
      env: processLockEnv(),
    });
    let held: Awaited<ReturnType<typeof run>>;
    try {
      held = await run(["snapshot", "delete", own, "s1", "--lock-timeout", "0"]);
    } finally {
      await holder.release();
    }
    expect(held.code).toBe(4);
    expect(held.stderr).toContain("PLB712");
    expect(incus("snapshot", "list", own, "--project", D, "--format", "csv").stdout).toContain(
      "s1",
    );
    expect((await run(["snapshot", "delete", own, "s1"])).code).toBe(0);
    expect(incus("snapshot", "list", own, "--project", D, "--format", "csv").stdout).toBe("");
    incus("delete", "--force", `${D}-hand`, "--project", D);
    incus("delete", "--force", `${p}-other`);
  });

  it("a no-op apply releases the lock of a run killed on this host at once", async () => {
    // The lock as a killed apply leaves it: its pid no longer runs on this host.
    const dead = spawnSync("true").pid as number;
    const real = processLockEnv();
    const env = {
      ...real,
      pid: dead,
      processStart: (pid: number) => (pid === dead ? "1" : processStart(pid)),
    };
    const killed = `${p}-killed`;
    await IncusLock.acquire(d, {
      owner: `ops-${p}`,
      run: killed,
      command: "plumb apply (killed)",
      leaseMs: 60_000,
      waitMs: 120_000,
      env,
    });
    expect((await readLock(d))?.run).toBe(killed);
    expect(hostname()).toBe(real.host);
    const t0 = Date.now();
    const r = await run(["apply", "--yes"]);
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000); // not the 60 s lease
    expect((await readLock(d))?.run).not.toBe(killed);
    expect(r.stderr).toContain(`released the stale apply lock of run ${killed}`);
  });

  it("images: an unknown alias and an unmapped remote image fail at plan time, before any change", async () => {
    writeRepo(dir, {
      "infra/domains/d.yml": domain(`    ${D}-3: {os_image: no-such-image-${p}}\n`),
    });
    const unknown = await run(["apply", "--yes"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("PLB633");
    expect(unknown.stderr).toContain(`image 'no-such-image-${p}' (for ${D}-3) is not in Incus`);
    writeRepo(dir, { "infra/domains/d.yml": domain(`    ${D}-3: {os_image: images:debian/12}\n`) });
    const remote = await run(["plan"]);
    expect(remote.code).toBe(1);
    expect(remote.stderr).toContain("PLB715");
    expect(remote.stderr).toContain("images:debian/12 is not in this site's image map");
    expect(incus("info", `${D}-3`, "--project", D).code).not.toBe(0);
    writeRepo(dir, { "infra/domains/d.yml": domain() });
  });

  it("usage: flush takes --lock-timeout; --parallelism 0 is refused before anything is read", async () => {
    const par = await run(["apply", "--yes", "--parallelism", "0"]);
    expect(par.code).toBe(1);
    expect(par.stderr).toContain("--parallelism must be an integer ≥ 1");
    const flush = await run(["flush", "--force", "--lock-timeout", "120"]);
    expect(flush.code, flush.stderr).toBe(0);
    expect(incus("project", "show", D).code).not.toBe(0);
  });
});
