// kill -9 during the pre-apply snapshot phase on the real daemon (issue 10, item 5): the run's
// snapshot is already in the history when it dies, the rerun converges without waiting for the
// dead run's lease, and retention prunes the per-run records.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncusDriver } from "../../reconcilers/drivers/incus/types.js";
import {
  BASE,
  driver,
  plumb,
  plumbAsync,
  skip,
  teardownEstate,
  tempRepo,
  uniquePrefix,
  why,
  writeRepo,
} from "./reconcile-kit.js";

const p = uniquePrefix();
const D = `${p}s`;
const N = 8;
const domain = (memory: string) =>
  `${D}:\n  profiles:\n    tuned: {config: {limits.memory: ${memory}}}\n  machines:\n${Array.from(
    { length: N },
    (_, i) => `    ${D}-${i}: {profiles: [default, tuned]}\n`,
  ).join("")}`;

describe.skipIf(skip)(`kill -9 while snapshotting${why}`, { timeout: 300_000 }, () => {
  let d: IncusDriver;
  let dir: string;
  const state = () => join(dir, ".plumb", "pre-apply-snapshots");
  const history = () => {
    try {
      return readFileSync(join(state(), "history"), "utf8").split("\n").filter(Boolean);
    } catch {
      return [];
    }
  };

  beforeAll(() => {
    d = driver();
    dir = tempRepo({ "infra/base.yml": BASE(`sc-${p}`), "infra/domains/s.yml": domain("128MiB") });
  });
  afterAll(async () => {
    await teardownEstate(d, dir, p);
  }, 180_000);

  it("the snapshot is in the history when the run dies; the rerun converges at once", async () => {
    expect((await plumb(["apply", "--yes"], dir)).code).toBe(0);
    // A profile change reaches all N instances: all are snapshotted first.
    writeRepo(dir, { "infra/domains/s.yml": domain("192MiB") });
    const { child, done } = plumbAsync(["apply", "--yes"], dir);
    const t0 = Date.now();
    while (history().length === 0 && Date.now() - t0 < 120_000) {
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill("SIGKILL");
    const killed = await done;
    expect(killed.signal).toBe("SIGKILL");
    const [name] = history();
    expect(name).toMatch(/^pre-apply-\d{8}-\d{6}$/);
    const ts = (name as string).slice("pre-apply-".length);
    const record = JSON.parse(readFileSync(join(state(), `${ts}.json`), "utf8"));
    expect(record.instances).toHaveLength(N);

    // The rerun takes over the dead run's lock at once (same host) and converges.
    const t1 = Date.now();
    const rerun = await plumb(["apply", "--yes"], dir);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(Date.now() - t1).toBeLessThan(60_000);
    expect((await plumb(["plan", "--detailed-exitcode"], dir)).code).toBe(0);
    expect(history()).toContain(name);

    // Retention: with --keep 1, older per-run records go with the history.
    writeRepo(dir, { "infra/domains/s.yml": domain("256MiB") });
    await new Promise((r) => setTimeout(r, 1100)); // a new timestamp second
    expect((await plumb(["apply", "--yes", "--keep", "1"], dir)).code).toBe(0);
    expect(history()).toHaveLength(1);
    const records = readdirSync(state()).filter((f) => f.endsWith(".json"));
    expect(records).toEqual([`${history()[0]?.slice("pre-apply-".length)}.json`]);
    expect(existsSync(join(state(), `${ts}.json`))).toBe(false);
  });
});
