// kill -9 during a 22-instance apply, at randomized points (after a random number of journaled
// changes, after a random delay, or just after a project, network or profile creation or the
// snapshot phase began), in three phases — creating from nothing, updating every instance
// (pre-apply snapshots first), deleting orphans — and a killed flush. Each time a plain
// re-run converges: no change left, every instance exactly once, nothing without plumb's labels.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncusDriver } from "../../reconcilers/drivers/incus/types.js";
import { killAt, seededRandom, starting } from "./kill-kit.js";
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

if (skip) console.warn(`crash tests${why}`);

const p = uniquePrefix();
const C = `${p}c`;
const D = `${p}d`;
const PER_DOMAIN = 11;
const seed = Number(process.env.PLUMB_CRASH_SEED ?? Date.now() % 100_000);
const random = seededRandom(seed);

const domain = (name: string, count: number, cpu: string) =>
  `${name}:\n  machines:\n${Array.from({ length: count }, (_, i) => `    ${name}-${i + 1}: {config: {limits.cpu: "${cpu}"}}\n`).join("")}`;

/** Changes journaled so far by the newest run in `dir`. */
function journaledChanges(dir: string): number {
  const runs = join(dir, ".plumb", "runs");
  if (!existsSync(runs)) return 0;
  const newest = readdirSync(runs).sort().at(-1);
  if (!newest) return 0;
  const file = join(runs, newest, "journal.ndjson");
  if (!existsSync(file)) return 0;
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.includes('"type":"change"')).length;
}

/** Starts `plumb <args>` and kills it with SIGKILL at a random point; how it was killed. */
async function killMidway(dir: string, args: string[], maxChanges: number): Promise<string> {
  const runsBefore = existsSync(join(dir, ".plumb", "runs"))
    ? readdirSync(join(dir, ".plumb", "runs")).length
    : 0;
  const { child, done } = plumbAsync(args, dir);
  let point: string;
  if (random() < 0.5) {
    const after = 1 + Math.floor(random() * Math.max(1, maxChanges - 1));
    point = `after ${after} journaled change(s)`;
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000) {
      const runs = existsSync(join(dir, ".plumb", "runs"))
        ? readdirSync(join(dir, ".plumb", "runs")).length
        : 0;
      if (runs > runsBefore && journaledChanges(dir) >= after) break;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 5));
    }
  } else {
    const ms = 150 + Math.floor(random() * 1500);
    point = `after ${ms} ms`;
    await new Promise((r) => setTimeout(r, ms));
  }
  child.kill("SIGKILL");
  const r = await done;
  return r.signal === "SIGKILL" ? point : `${point} (it had already exited ${r.code})`;
}

describe.skipIf(skip)(`kill -9 during apply, then re-run${why}`, { timeout: 600_000 }, () => {
  let d: IncusDriver;
  let dir: string;
  const points: string[] = [];

  beforeAll(() => {
    d = driver();
    dir = tempRepo({
      "infra/base.yml": BASE(`crash-${p}`, "  auto_cleanup: true\n"),
      "infra/domains/c.yml": domain(C, PER_DOMAIN, "1"),
      "infra/domains/d.yml": domain(D, PER_DOMAIN, "1"),
    });
  });
  afterAll(async () => {
    console.info(`crash test seed ${seed}; kill points: ${points.join("; ")}`);
    await teardownEstate(d, dir, p);
  }, 240_000);

  /** A plain re-run converges, then the live state is exactly the declared one. */
  async function converges(expected: Record<string, number>, cpu: string) {
    const r = await plumb(["apply", "--yes"], dir);
    // Either it applied what was left, or the killed run's operations had finished it already.
    expect(`${r.stdout}${r.stderr}`, r.stderr).toMatch(
      /Re-plan: no changes left|No changes\. Live Incus matches/,
    );
    expect(r.code, r.stderr).toBe(0);
    const planned = await plumb(["plan", "--detailed-exitcode"], dir);
    expect(planned.code, planned.stdout).toBe(0);
    const names = new Map<string, number>();
    for (const project of [C, D]) {
      for (const i of await d.listInstances(project).catch(() => [])) {
        names.set(i.name, (names.get(i.name) ?? 0) + 1);
        expect(i.config["user.plumb.owner"], `${i.name} is owned`).toBe(`crash-${p}`);
        expect(i.config["limits.cpu"]).toBe(cpu);
        expect(i.status).toBe("Running");
      }
    }
    for (const [domainName, count] of Object.entries(expected)) {
      for (let n = 1; n <= PER_DOMAIN; n++) {
        expect(names.get(`${domainName}-${n}`) ?? 0, `${domainName}-${n} exists once`).toBe(
          n <= count ? 1 : 0,
        );
      }
    }
    for (const project of (await d.listProjects()).filter((x) => x.name.startsWith(p))) {
      expect(project.config["user.plumb.owner"], `project ${project.name} is owned`).toBe(
        `crash-${p}`,
      );
    }
    for (const n of (await d.listNetworks("default")).filter((x) =>
      x.name.startsWith(`net-${p}`),
    )) {
      expect(n.config["user.plumb.owner"], `network ${n.name} is owned`).toBe(`crash-${p}`);
    }
  }

  it("creating from nothing: killed inside a project, a network and a profile creation, each re-run converging on", async () => {
    points.push(
      `project: ${await killAt(dir, ["apply", "--yes"], starting("project"), 40, random)}`,
    );
    points.push(
      `network: ${await killAt(dir, ["apply", "--yes"], starting("network"), 40, random)}`,
    );
    points.push(
      `profile: ${await killAt(dir, ["apply", "--yes"], starting("profile"), 40, random)}`,
    );
  });

  it("creating 22 instances from nothing: killed twice, then a re-run converges", async () => {
    points.push(`create: ${await killMidway(dir, ["apply", "--yes"], 26)}`);
    points.push(`create again: ${await killMidway(dir, ["apply", "--yes"], 20)}`);
    await converges({ [C]: PER_DOMAIN, [D]: PER_DOMAIN }, "1");
  });

  it("updating all 22 (snapshots first): killed, then a re-run converges", async () => {
    writeRepo(dir, {
      "infra/domains/c.yml": domain(C, PER_DOMAIN, "2"),
      "infra/domains/d.yml": domain(D, PER_DOMAIN, "2"),
    });
    // First inside the snapshot phase (the plan was checked fresh, no change started yet).
    points.push(
      `snapshots: ${await killAt(dir, ["apply", "--yes"], /"type":"fresh"/, 400, random)}`,
    );
    points.push(`update: ${await killMidway(dir, ["apply", "--yes"], 22)}`);
    await converges({ [C]: PER_DOMAIN, [D]: PER_DOMAIN }, "2");
  });

  it("deleting orphans (auto_cleanup) while updating: killed, then a re-run converges", async () => {
    writeRepo(dir, {
      "infra/domains/c.yml": domain(C, 5, "3"),
      "infra/domains/d.yml": domain(D, 7, "3"),
    });
    points.push(`delete: ${await killMidway(dir, ["apply", "--yes"], 22)}`);
    await converges({ [C]: 5, [D]: 7 }, "3");
  });

  it("a killed flush, run again, leaves nothing of the estate", async () => {
    points.push(`flush: ${await killMidway(dir, ["flush", "--force"], 10)}`);
    const r = await plumb(["flush", "--force"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect((await d.listProjects()).filter((x) => x.name.startsWith(p))).toEqual([]);
    expect((await d.listNetworks("default")).filter((x) => x.name.startsWith(`net-${p}`))).toEqual(
      [],
    );
  });
});
