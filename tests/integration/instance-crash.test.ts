// kill -9 inside instance creation, at random points, on the real daemon. Incus runs a create as a
// server-side operation the dead client does not stop, so right after the kill the estate's
// instances are: absent, still being created (`Stopped` while their operation runs), created but
// never started, or running. A plan made at once (without waiting for the operations, as
// `plumb plan` does) must say which: every start it plans for an unfinished instance carries an
// "in progress" or "repair" note, and no half-created instance looks like an update or a
// replacement. The next apply converges: each declared instance exactly once, ours, running.
// Each round replaces every machine (auto_cleanup), so deletes run beside the creates. The
// machines use the sandbox's Debian image (52 MiB to unpack, seconds per create), so the kills
// land while creates are still running.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncusDriver } from "../../reconcilers/drivers/incus/types.js";
import { killAt, seededRandom, starting } from "./kill-kit.js";
import {
  BASE,
  driver,
  plumb,
  skip,
  teardownEstate,
  tempRepo,
  uniquePrefix,
  why,
  writeRepo,
} from "./reconcile-kit.js";

const p = uniquePrefix();
const D = `${p}i`;
const COUNT = 4;
const ROUNDS = 3;
const seed = Number(process.env.PLUMB_CRASH_SEED ?? Date.now() % 100_000);
const random = seededRandom(seed);
const ENV = { PLUMB_IMAGE_MAP: "images:debian/13=plumb-debian" };

const names = (round: number) => Array.from({ length: COUNT }, (_, n) => `${D}-${round}${n + 1}`);
const domain = (round: number) =>
  `domains:\n  ${D}:\n    machines:\n${names(round)
    .map((n) => `      ${n}: {config: {limits.cpu: "1"}}\n`)
    .join("")}`;

interface PlanChange {
  id: string;
  action: string;
  notes?: string[];
}

describe.skipIf(skip)(`kill -9 inside instance creation${why}`, { timeout: 600_000 }, () => {
  let d: IncusDriver;
  let dir: string;
  const points: string[] = [];
  const notes: string[] = [];
  const write = (round: number) =>
    writeRepo(dir, { "infra.yml": `${BASE(`ic-${p}`, "  auto_cleanup: true\n")}${domain(round)}` });

  beforeAll(async () => {
    d = driver();
    dir = tempRepo({});
    write(0);
    const r = await plumb(["apply", "--yes"], dir, ENV);
    expect(r.code, r.stderr + r.stdout).toBe(0);
  }, 240_000);
  afterAll(async () => {
    console.info(`instance crash seed ${seed}; kill points: ${points.join("; ")}`);
    console.info(`notes seen right after the kills: ${notes.join(" | ") || "none"}`);
    await teardownEstate(d, dir, p, ENV);
  }, 240_000);

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: killed inside an instance create, planned honestly, converged`, async () => {
      write(round);
      const marker = starting("instance", "create");
      points.push(await killAt(dir, ["apply", "--yes"], marker, 800, random, ENV));
      // At once: the killed run's operations may still be running.
      const planned = await plumb(["plan", "--json"], dir, ENV);
      expect(planned.code, planned.stderr).toBe(0);
      const changes = (JSON.parse(planned.stdout) as { changes: PlanChange[] }).changes;
      const fresh = new Set(names(round).map((n) => `${D}/${n}`));
      for (const c of changes) {
        const target = c.id.slice(c.id.indexOf(":") + 1);
        if (!fresh.has(target)) continue;
        // A half-created instance never looks like a hand-made change.
        expect(["create", "start"], `${c.action} ${c.id}`).toContain(c.action);
        if (c.action === "start") {
          expect(c.notes?.join(" ") ?? "", `start ${c.id} says why`).toMatch(
            /^(in progress|repair): /,
          );
          notes.push(`${c.id}: ${(c.notes ?? []).join(" ")}`);
        }
      }
      const r = await plumb(["apply", "--yes"], dir, ENV);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(`${r.stdout}${r.stderr}`).toMatch(/Re-plan: no changes left|No changes\. Live Incus/);
      expect((await plumb(["plan", "--detailed-exitcode"], dir, ENV)).code).toBe(0);
      const live = await d.listInstances(D);
      expect(live.map((i) => i.name).sort()).toEqual(names(round));
      for (const i of live) {
        expect(i.status, i.name).toBe("Running");
        expect(i.config["user.plumb.owner"], i.name).toBe(`ic-${p}`);
        expect(i.config["user.plumb.id"], i.name).toBe(`instance/${D}/${i.name}`);
      }
    });
  }

  it("the kills landed inside creates: some plan saw an unfinished instance and said so", () => {
    expect(notes.length, points.join("; ")).toBeGreaterThan(0);
  });
});
