// drift, change freeze and apply's audit/metrics/log hooks end to end (built CLI, fake Incus).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditPath } from "../../core/audit/append.js";
import { verifyAuditText } from "../../core/audit/verify.js";
import { FakeIncusServer } from "../../reconcilers/drivers/incus/testing/fake-incus-server.js";
import { fakeIncusEnv, runPlumb } from "../kit/cli.js";

const BASE = `project_name: e2e-drift
global:
  addressing: {base_octet: 10}
  default_os_image: images:debian/13
domains:
  web:
    machines:
      web-1: {config: {limits.cpu: "1"}}
`;

describe("drift, freeze and apply hooks (built CLI, fake Incus)", () => {
  let fake: FakeIncusServer;
  let dir: string;
  const plumb = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runPlumb(args, {
      cwd: dir,
      env: { ...fakeIncusEnv(fake.socketPath), PLUMB_ACTOR: "e2e", ...env },
    });

  beforeAll(async () => {
    fake = await FakeIncusServer.start();
    dir = mkdtempSync(join(tmpdir(), "plumb-e2e-drift-"));
    mkdirSync(join(dir, "infra"));
    writeFileSync(join(dir, "infra", "base.yml"), BASE);
  });
  afterAll(async () => {
    await fake.close();
  });

  it("drift exits 2 with a per-object report; apply logs JSON per step, writes metrics; then no drift", async () => {
    const d1 = await plumb(["drift", "--json"]);
    expect(d1.code, d1.stderr).toBe(2);
    const report = JSON.parse(d1.stdout);
    expect(report.drifted).toBeGreaterThan(0);
    expect(report.objects).toContainEqual(
      expect.objectContaining({
        id: "instance:web/web-1",
        action: "create",
        changedOutsidePlumb: false,
      }),
    );
    const a = await plumb(["apply", "--yes", "--log-format", "json"], { PLUMB_LOG_LEVEL: "info" });
    expect(a.code, a.stderr).toBe(0);
    const logs = a.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
    expect(logs.length).toBeGreaterThan(3);
    const run = logs[0].run;
    expect(run).toMatch(/^\d{8}-\d{6}-/);
    for (const l of logs) expect(l).toMatchObject({ run, level: "info", step: expect.any(String) });
    expect(logs.map((l) => l.step)).toEqual(
      expect.arrayContaining(["locked", "change", "verified", "unlocked"]),
    );
    const prom = readFileSync(join(dir, ".plumb", "metrics", "plumb.prom"), "utf8");
    expect(prom).toContain('plumb_last_run_success{job="apply",estate="e2e-drift"} 1');
    expect(prom).toContain('plumb_changes{estate="e2e-drift",kind="instance",action="create"} 1');
    expect(prom).toMatch(/plumb_last_successful_apply_timestamp_seconds\{estate="e2e-drift"\} \d+/);
    expect(prom).toMatch(/plumb_step_duration_seconds\{job="apply",step="lock"\} [\d.]+/);
    const d2 = await plumb(["drift"]);
    expect(d2.code, d2.stderr).toBe(0);
    expect(readFileSync(join(dir, ".plumb", "metrics", "plumb.prom"), "utf8")).toContain(
      'plumb_drifted_objects{estate="e2e-drift"} 0',
    );
    const log = verifyAuditText(readFileSync(auditPath(dir), "utf8"));
    expect(log.ok).toBe(true);
    const types = log.entries.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "drift",
        "apply.start",
        "lock.acquire",
        "apply.step",
        "apply.end",
        "lock.release",
      ]),
    );
    const start = log.entries.find((e) => e.type === "apply.start");
    expect(
      log.entries.filter((e) => e.type === "apply.step").every((e) => e.parent_id === start?.id),
    ).toBe(true);
    expect(log.entries.every((e) => e.actor === "e2e")).toBe(true);
    // apply anchored the head in Incus: verify (online) passes
    expect((await plumb(["audit", "verify"])).code).toBe(0);
  }, 120_000);

  it("inside a change freeze apply is refused (PLB950, audited); an override without approvals is refused (PLB952)", async () => {
    const now = Date.now();
    writeFileSync(
      join(dir, "infra", "policies.yml"),
      `change_freeze:\n  windows:\n    - reason: release week\n      from: "${new Date(now - 3600_000).toISOString()}"\n      until: "${new Date(now + 3600_000).toISOString()}"\n`,
    );
    writeFileSync(
      join(dir, "infra", "base.yml"),
      BASE.replace('limits.cpu: "1"', 'limits.cpu: "2"'),
    );
    expect((await plumb(["validate"])).code).toBe(0); // change_freeze is not an unknown key
    const f = await plumb(["freeze", "--json"]);
    expect(f.code).toBe(1);
    expect(JSON.parse(f.stdout).active[0].reason).toBe("release week");
    const a = await plumb(["apply", "--yes"]);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("PLB950");
    expect(a.stderr).toContain("release week");
    const o = await plumb(["apply", "--yes", "--freeze-override", "hotfix"]);
    expect(o.code).toBe(1);
    expect(o.stderr).toContain("PLB952");
    const log = verifyAuditText(readFileSync(auditPath(dir), "utf8"));
    expect(log.ok).toBe(true);
    const refusals = log.entries.filter((e) => e.type === "refusal").map((e) => e.payload.code);
    expect(refusals).toEqual(expect.arrayContaining(["PLB950", "PLB952"]));
    // nothing changed: drift still shows the pending update
    expect((await plumb(["drift"])).code).toBe(2);
  }, 120_000);
});
