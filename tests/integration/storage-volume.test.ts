// storage_volumes on the real daemon: a custom volume created in the domain's project, attached
// to the machine at its path (a file written there lives in the volume), resized in place, and
// removed — detached, then deleted — when no longer declared (auto_cleanup).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncusDriver } from "../../reconcilers/drivers/incus/types.js";
import {
  BASE,
  driver,
  incus,
  plumb,
  skip,
  teardownEstate,
  tempRepo,
  uniquePrefix,
  why,
  writeRepo,
} from "./reconcile-kit.js";

const p = uniquePrefix();
const D = `${p}v`;
const M = `${D}-1`;
const estate = (volumes: string, cleanup = "") =>
  `${BASE(`it-${p}`, cleanup)}domains:\n  ${D}:\n    machines:\n      ${M}: {${volumes}}\n`;
const WITH = "storage_volumes: {data: {size: 64MiB, path: /srv/data}}";

describe.skipIf(skip)(`storage volumes on the real daemon${why}`, { timeout: 300_000 }, () => {
  let d: IncusDriver;
  let dir: string;
  beforeAll(() => {
    d = driver();
    dir = tempRepo({ "infra.yml": estate(WITH) });
  });
  afterAll(async () => {
    await teardownEstate(d, dir, p);
  }, 240_000);

  it("creates the volume and attaches it; what the machine writes there is in the volume", async () => {
    const r = await plumb(["apply", "--yes", "--lock-timeout", "120"], dir);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const vol = incus("storage", "volume", "show", "default", `${M}-data`, "--project", D);
    expect(vol.code, vol.stderr).toBe(0);
    expect(vol.stdout).toContain("size: 64MiB");
    expect(vol.stdout).toContain(`user.plumb.id: storage-volume/${D}/${M}-data`);
    const dev = incus("config", "device", "show", M, "--project", D).stdout;
    expect(dev).toContain(`source: ${M}-data`);
    const w = incus("exec", M, "--project", D, "--", "sh", "-c", "echo kept > /srv/data/f");
    expect(w.code, w.stderr).toBe(0);
    const f = incus("file", "pull", `${M}/srv/data/f`, "-", "--project", D);
    expect(f.stdout.trim()).toBe("kept");
    const again = await plumb(["plan", "--detailed-exitcode"], dir);
    expect(again.code, again.stdout).toBe(0);
  });

  it("a new size is an in-place update", async () => {
    writeRepo(dir, { "infra.yml": estate(WITH.replace("64MiB", "128MiB")) });
    const r = await plumb(["apply", "--yes", "--lock-timeout", "120"], dir);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const vol = incus("storage", "volume", "get", "default", `${M}-data`, "size", "--project", D);
    expect(vol.stdout.trim()).toBe("128MiB");
  });

  it("no longer declared: detached from the machine, then deleted (auto_cleanup)", async () => {
    writeRepo(dir, { "infra.yml": estate("", "  auto_cleanup: true\n") });
    const plan = await plumb(["plan", "--json"], dir);
    const changes = (JSON.parse(plan.stdout) as { changes: { id: string; action: string }[] })
      .changes;
    expect(changes.map((c) => `${c.action} ${c.id}`)).toEqual([
      `update instance:${D}/${M}`,
      `delete storage-volume:${D}/${M}-data`,
    ]);
    const r = await plumb(["apply", "--yes", "--lock-timeout", "120"], dir);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const vol = incus("storage", "volume", "show", "default", `${M}-data`, "--project", D);
    expect(vol.code).not.toBe(0);
  });
});
