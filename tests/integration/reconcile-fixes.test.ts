// Regressions of issue 10 on the real daemon, through the built CLI:
//  - a restart-needed key set through a profile (security.syscalls.intercept.mknod) is flagged,
//    held back without --allow-restart (the re-plan still shows it), and with it the running
//    instance using the profile is restarted (new PID) and the re-plan is empty;
//  - auto_cleanup of a removed domain whose project holds an instance plumb does not own: the
//    plan keeps the project and its bridge (saying why) instead of promising deletes Incus
//    refuses, and the apply succeeds instead of failing forever;
//  - a bridge left `Pending` by a client killed during its creation (the request aborted, as a
//    kill -9 of plumb does) is planned as a repair and recreated by the next apply.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncusDriver } from "../../reconcilers/drivers/incus/types.js";
import {
  abortedCreate,
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
const R = `${p}r`;
const E = `${p}e`;
const restartDomain = (extra: string) => `  ${R}:
    profiles:
      tuned: {config: {limits.memory: 256MiB${extra}}}
    machines:
      ${R}-1: {profiles: [default, tuned]}
`;
const cleanupDomain = `  ${E}:\n    machines:\n      ${E}-1: {ephemeral: true}\n`;
const MKNOD = ', security.syscalls.intercept.mknod: "true"';
const K = `${p}k`;
const pendingDomain = `  ${K}:\n    machines:\n      ${K}-1: {ephemeral: true}\n`;

interface PlanJson {
  changes: {
    id: string;
    action: string;
    reason?: string;
    desired?: { config: Record<string, string> };
  }[];
}
const pid = (project: string, name: string) =>
  (
    JSON.parse(incus("query", `/1.0/instances/${name}/state?project=${project}`).stdout) as {
      pid: number;
    }
  ).pid;

describe.skipIf(skip)(`reconcile fixes on the real daemon${why}`, { timeout: 300_000 }, () => {
  let d: IncusDriver;
  let dir: string;
  const write = (domains: string, global = "") =>
    writeRepo(dir, { "infra.yml": `${BASE(`it-${p}`, global)}domains:\n${domains}` });
  const apply = (...extra: string[]) =>
    plumb(["apply", "--yes", "--lock-timeout", "120", ...extra], dir);

  beforeAll(async () => {
    d = driver();
    dir = tempRepo({});
    write(restartDomain("") + cleanupDomain);
    const r = await apply();
    expect(r.code, r.stderr + r.stdout).toBe(0);
  }, 240_000);
  afterAll(async () => {
    incus("delete", "--force", "hand-made", "--project", E);
    await teardownEstate(d, dir, p);
  }, 240_000);

  it("a restart-needed key through a profile: flagged, held back, then applied with a restart", async () => {
    const before = pid(R, `${R}-1`);
    write(restartDomain(MKNOD) + cleanupDomain);
    const plan = JSON.parse((await plumb(["plan", "--json"], dir)).stdout) as PlanJson;
    expect(plan.changes.map((c) => `${c.action} ${c.id}`)).toEqual([
      `update-restart profile:${R}/tuned`,
    ]);
    const held = await apply();
    expect(held.code, held.stderr).toBe(2);
    const key = ["profile", "get", "tuned", "security.syscalls.intercept.mknod", "--project", R];
    expect(incus(...key).stdout.trim()).toBe("");
    expect((await plumb(["plan", "--detailed-exitcode"], dir)).code).toBe(2);
    const done = await apply("--allow-restart");
    expect(done.code, done.stderr + done.stdout).toBe(0);
    expect(incus(...key).stdout.trim()).toBe("true");
    expect(pid(R, `${R}-1`)).not.toBe(before);
    expect((await plumb(["plan", "--detailed-exitcode"], dir)).code).toBe(0);
  });

  it("auto_cleanup keeps a project and bridge an unmanaged instance holds, and the apply succeeds", async () => {
    const made = incus("init", "plumb-busybox", "hand-made", "--project", E);
    expect(made.code, made.stderr).toBe(0);
    write(restartDomain(MKNOD), "  auto_cleanup: true\n");
    const plan = JSON.parse((await plumb(["plan", "--json"], dir)).stdout) as PlanJson;
    const byId = new Map(plan.changes.map((c) => [c.id, c]));
    expect(byId.get(`instance:${E}/${E}-1`)?.action).toBe("delete");
    expect(byId.get(`project:${E}/${E}`)).toMatchObject({ action: "orphan" });
    expect(byId.get(`project:${E}/${E}`)?.reason).toMatch(/kept: holds instances .*hand-made/);
    expect(byId.get(`network:default/net-${E}`)).toMatchObject({ action: "orphan" });
    const r = await apply();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(incus("list", "--project", E, "-f", "csv", "-c", "n").stdout.trim()).toBe("hand-made");
    const again = await apply();
    expect(again.code, again.stderr + again.stdout).toBe(0);
  });

  it("a bridge left Pending by an interrupted create is planned as a repair and recreated", async () => {
    write(restartDomain(MKNOD) + pendingDomain, "  auto_cleanup: true\n");
    const first = JSON.parse((await plumb(["plan", "--json"], dir)).stdout) as PlanJson;
    const bridge = first.changes.find((c) => c.id === `network:default/net-${K}`);
    expect(bridge?.action).toBe("create");
    const config = bridge?.desired?.config ?? {};
    expect(config["user.plumb.owner"]).toBe(`it-${p}`);
    expect(await abortedCreate(`net-${K}`, config)).toContain("status: Pending");
    const show = () => incus("network", "show", `net-${K}`).stdout;
    const plan = JSON.parse((await plumb(["plan", "--json"], dir)).stdout) as PlanJson;
    expect(plan.changes.find((c) => c.id === `network:default/net-${K}`)?.action).toBe("update");
    const r = await apply("--allow-restart");
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(show()).toContain("status: Created");
    expect(incus("list", `${K}-1`, "--project", K, "-f", "csv", "-c", "s").stdout.trim()).toBe(
      "RUNNING",
    );
    expect((await plumb(["plan", "--detailed-exitcode"], dir)).code).toBe(0);
  });
});
