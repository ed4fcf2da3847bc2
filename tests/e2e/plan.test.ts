// End-to-end: the built CLI as a child process, planning and applying against the fake Incus
// (real HTTP on a unix socket, INCUS_SOCKET): exit codes 0/1/2, the JSON plan document, the
// markdown comment, saved plans (tampered, other version), confirmation without a terminal.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeIncusServer } from "../../reconcilers/drivers/incus/testing/fake-incus-server.js";
import { fakeIncusEnv, runPlumb } from "../kit/cli.js";

const ESTATE = `project_name: e2e
global:
  addressing: {base_octet: 10, zone_base: 100}
  default_os_image: images:debian/13
domains:
  web:
    machines:
      web-1: {config: {limits.cpu: "1"}}
      web-2: {}
`;

describe("plumb plan / apply (built CLI, fake Incus)", () => {
  let fake: FakeIncusServer;
  let dir: string;

  // Asynchronous: the fake answers from this very process while the CLI runs.
  const plumb = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runPlumb(args, { cwd: dir, env: { ...fakeIncusEnv(fake.socketPath), ...env } });

  beforeAll(async () => {
    fake = await FakeIncusServer.start();
    dir = mkdtempSync(join(tmpdir(), "plumb-e2e-plan-"));
    writeFileSync(join(dir, "infra.yml"), ESTATE);
  });
  afterAll(async () => {
    await fake.close();
  });

  it("--detailed-exitcode: 2 with changes; human output with symbols and one summary line", async () => {
    const r = await plumb(["plan", "--detailed-exitcode"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("  + project web will be created");
    expect(r.stdout).toContain("  + instance web/web-1 will be created");
    expect(r.stdout).toContain('+ config.limits.cpu = "1"');
    expect(r.stdout).toContain('+ image = "images:debian/13" (from plumb-busybox)');
    expect(r.stdout.trim().split("\n").at(-1)).toBe(
      "Plan: 5 to create, 0 to update, 0 to replace, 0 to start/stop, 0 to delete.",
    );
    // Without the flag, changes are not an error.
    expect((await plumb(["plan"])).code).toBe(0);
  });

  it("--json prints the versioned plan document", async () => {
    const r = await plumb(["plan", "--json"]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({ format: "plumb-plan", version: 1, owner: "e2e", limit: null });
    expect(plan.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(plan.target).toBe(`unix:${fake.socketPath}`);
    expect(plan.settings).toEqual({
      endpoint: `unix:${fake.socketPath}`,
      sources: ["PLUMB_IMAGE_MAP", "PLUMB_BRIDGE_ADDRESSES", "INCUS_SOCKET"],
      bridgeAddresses: "none",
      storagePool: "default",
      imageMap: { "images:debian/13": "plumb-busybox" },
      autoCleanup: false,
    });
    expect(plan.summary).toMatchObject({ create: 5, actionable: 5, orphan: 0, conflict: 0 });
    expect(plan.changes.map((c: { action: string; id: string }) => `${c.action} ${c.id}`)).toEqual([
      "create project:web/web",
      "create network:default/net-web",
      "create profile:web/default",
      "create instance:web/web-1",
      "create instance:web/web-2",
    ]);
    expect(plan.changes[3]).toMatchObject({
      create: {
        image: "images:debian/13",
        source: { type: "image", alias: "plumb-busybox" },
        start: true,
      },
      desired: { type: "container", profiles: ["default"] },
    });
    expect(plan.observed).toContainEqual({ id: "instance:web/web-1", hash: null });
  });

  it("--format markdown gives a PR comment with a marker, the summary and a diff block", async () => {
    const r = await plumb(["plan", "--format", "markdown"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^<!-- plumb:plan \{"v":1,"owner":"e2e","head":null,"digest":"sha256:[0-9a-f]{64}"\} -->/,
    );
    expect(r.stdout).toContain("### plumb plan for `e2e`: `+5 ~0 -/+0 -0`");
    expect(r.stdout).toContain("<details><summary>Changes (5)</summary>");
    expect(r.stdout).toContain("```diff\n+ project web will be created");
  });

  it("apply refuses to go on without a terminal unless --yes (exit 1, PLB718)", async () => {
    const r = await plumb(["apply"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB718]");
    expect(fake.count("POST", "/1.0/instances")).toBe(0);
  });

  it("a saved plan applies; then plan exits 0 with --detailed-exitcode", async () => {
    expect((await plumb(["plan", "--out", "plan.json"])).code).toBe(0);
    // Not a git repository: the plan is bound to no commit, so apply needs --allow-dirty.
    const unbound = await plumb(["apply", "plan.json", "--yes"]);
    expect(unbound.code).toBe(1);
    expect(unbound.stderr).toContain("error[PLB915]");
    const r = await plumb(["apply", "plan.json", "--yes", "--allow-dirty"]);
    expect(r.stderr).toContain("Apply complete: 5 done, 0 failed, 0 skipped.");
    expect(r.code).toBe(0);
    const again = await plumb(["plan", "--detailed-exitcode"]);
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);
  });

  it("a tampered or future-version plan file is refused (PLB713); an invalid infra exits 1", async () => {
    writeFileSync(join(dir, "infra.yml"), ESTATE.replace('"1"', '"2"'));
    expect((await plumb(["plan", "--out", "plan.json"])).code).toBe(0);
    const text = readFileSync(join(dir, "plan.json"), "utf8");
    writeFileSync(
      join(dir, "edited.json"),
      text.replace('"limits.cpu": "2"', '"limits.cpu": "64"'),
    );
    const edited = await plumb(["apply", "edited.json", "--yes"]);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain("error[PLB713]");
    expect(edited.stderr).toContain("digest mismatch");
    writeFileSync(join(dir, "v2.json"), JSON.stringify({ ...JSON.parse(text), version: 2 }));
    const v2 = await plumb(["apply", "v2.json", "--yes"]);
    expect(v2.stderr).toMatch(/plan version 2; this plumb reads version 1 only/);
    writeFileSync(join(dir, "infra.yml"), `${ESTATE}  bogus: [\n`);
    const invalid = await plumb(["plan", "--detailed-exitcode"]);
    expect(invalid.code).toBe(1);
  });

  it("--limit on an unknown domain is a usage error", async () => {
    writeFileSync(join(dir, "infra.yml"), ESTATE);
    const r = await plumb(["plan", "--limit", "nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--limit: no domain named nope");
  });
});
