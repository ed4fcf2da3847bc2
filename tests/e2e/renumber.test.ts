// End-to-end (built CLI, fake Incus): sticky addressing. Adding a domain keeps the others'
// subnets; a deliberate subnet change is a renumber that validate and plan show, apply refuses
// without --allow-renumber, and generate records only with --allow-renumber.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeIncusServer } from "../../reconcilers/drivers/incus/testing/fake-incus-server.js";
import { fakeIncusEnv, runPlumb } from "../kit/cli.js";

const estate = (domains: string) => `project_name: e2ern
global:
  addressing: {base_octet: 10, zone_base: 100}
  default_os_image: images:debian/13
domains:
${domains}`;
const CI = "  ci:\n    machines:\n      c1: {}\n      c2: {}\n";
const API = "  api:\n    machines:\n      a1: {}\n";

describe("sticky addressing (built CLI, fake Incus)", { timeout: 120_000 }, () => {
  let fake: FakeIncusServer;
  let dir: string;
  const plumb = (args: string[]) =>
    runPlumb(args, { cwd: dir, env: { ...fakeIncusEnv(fake.socketPath) } });
  const lock = () => readFileSync(join(dir, "addresses.lock.yml"), "utf8");

  beforeAll(async () => {
    fake = await FakeIncusServer.start();
    dir = mkdtempSync(join(tmpdir(), "plumb-e2e-renumber-"));
    writeFileSync(join(dir, "infra.yml"), estate(CI));
  });
  afterAll(async () => {
    await fake.close();
  });

  it("generate records the allocations; adding a domain moves no existing address", async () => {
    expect((await plumb(["generate"])).code).toBe(0);
    expect(lock()).toContain("  ci: 10.120.0.0/24\n");
    expect((await plumb(["apply", "--yes"])).code).toBe(0);

    // `api` sorts before `ci`: without the lock it would take .0 and push ci to .1.
    writeFileSync(join(dir, "infra.yml"), estate(API + CI));
    const v = await plumb(["validate"]);
    expect(v.code).toBe(0);
    expect(v.stderr).not.toContain("PLB630");
    const g = await plumb(["generate"]);
    expect(g.code).toBe(0);
    expect(g.stderr).toContain("2 added, 0 removed, 0 renumbered");
    expect(lock()).toContain("  api: 10.120.1.0/24\n  ci: 10.120.0.0/24\n");
    expect(lock()).toContain("  c1: 10.120.0.1\n  c2: 10.120.0.2\n");
    expect(readFileSync(join(dir, "inventory", "ci.yml"), "utf8")).toContain("10.120.0.1");
    const p = JSON.parse((await plumb(["plan", "--json"])).stdout);
    expect(p.renumbers).toBeUndefined();
    expect(p.summary.update).toBe(0);
    expect((await plumb(["apply", "--yes"])).code).toBe(0);
  });

  it("a subnet_id change is a renumber: validate warns, plan shows, apply and generate refuse", async () => {
    writeFileSync(
      join(dir, "infra.yml"),
      estate(`${API}  ci:\n    subnet_id: 5\n    machines:\n      c1: {}\n      c2: {}\n`),
    );
    const before = lock();

    const v = await plumb(["validate"]);
    expect(v.code).toBe(0); // a warning: the change may be deliberate
    expect(v.stderr).toContain("PLB630");
    expect(v.stderr).toContain("renumber: domain ci: 10.120.0.0/24 → 10.120.5.0/24");
    expect((await plumb(["validate", "--strict"])).code).toBe(1);

    const plan = await plumb(["plan"]);
    expect(plan.stdout).toContain("! renumber domain ci: 10.120.0.0/24 → 10.120.5.0/24");
    expect(plan.stdout).toContain("! renumber machine c1 (ci): 10.120.0.1 → 10.120.5.1");
    const md = await plumb(["plan", "--format", "markdown"]);
    expect(md.stdout).toContain("> [!CAUTION]");
    const json = JSON.parse((await plumb(["plan", "--json"])).stdout);
    expect(json.renumbers).toContainEqual({
      kind: "domain",
      name: "ci",
      domain: "ci",
      from: "10.120.0.0/24",
      to: "10.120.5.0/24",
    });

    // A plan with changes and a renumber: apply refuses before the first change.
    writeFileSync(
      join(dir, "infra.yml"),
      estate(
        `${API}  ci:\n    subnet_id: 5\n    machines:\n      c1: {}\n      c2: {}\n      c3: {}\n`,
      ),
    );
    const refused = await plumb(["apply", "--yes"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("PLB630");
    expect(JSON.parse((await plumb(["plan", "--json"])).stdout).summary.create).toBe(1);

    const gen = await plumb(["generate"]);
    expect(gen.code).toBe(1);
    expect(gen.stderr).toContain("PLB630");
    expect(lock()).toBe(before);

    expect((await plumb(["apply", "--yes", "--allow-renumber"])).code).toBe(0);
    const rec = await plumb(["generate", "--allow-renumber"]);
    expect(rec.code).toBe(0);
    expect(rec.stderr).toContain("renumbered");
    expect(lock()).toContain("  ci: 10.120.5.0/24\n");
    const after = await plumb(["validate"]);
    expect(after.stderr).not.toContain("PLB630");
    expect((await plumb(["generate", "--check"])).code).toBe(0);
    // Removing a machine leaves the record stale: --check fails until generate drops it.
    writeFileSync(
      join(dir, "infra.yml"),
      estate(`${API}  ci:\n    subnet_id: 5\n    machines:\n      c1: {}\n      c2: {}\n`),
    );
    const stale = await plumb(["generate", "--check"]);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain("stale addresses.lock.yml");
    expect((await plumb(["generate"])).stderr).toContain("0 added, 1 removed");
    expect(lock()).not.toContain("c3");
  });
});
