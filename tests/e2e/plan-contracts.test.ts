// End-to-end: declared targets and contracts through the built CLI against the fake Incus —
// validate errors at file:line:column, the Contracts section (human, markdown, JSON), exit 2 for
// contract runs only, an instance's live hash read from user.plumb.contract.<name> (up to date,
// and not Incus drift), a server read over SSH (unreachable on loopback port 1) or not at all
// (--no-targets), and a saved plan re-derived by apply with its contracts compared.
import { cpSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlanRepo } from "../kit/plan-repo.js";

const REPO = join(import.meta.dirname, "..", "..");
const KEY = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

const web = (contracts: string) => `web:
  machines:
    web-1: {config: {limits.cpu: "1"}${contracts}}
`;
const WITH_CONTRACT = `, contracts: [{template: motd, inputs: {banner: "hello", owner: ops}}]`;
const SERVER = `db:
  machines:
    db-1:
      type: server
      address: 127.0.0.1
      ssh: {port: 1, host_key: "${KEY}"}
      contracts:
        - {template: motd, inputs: {banner: "db", owner: dba}}
`;

/** Records a contract hash on web-1 the way delivery does after a successful run. */
async function recordRun(repo: PlanRepo, hash: string): Promise<void> {
  const { value: i, etag } = await repo.driver.getInstance("web", "web-1");
  await repo.driver.updateInstance(
    "web",
    "web-1",
    {
      config: { ...i.config, "user.plumb.contract.motd": hash },
      devices: i.devices ?? {},
      profiles: i.profiles ?? [],
      description: i.description ?? "",
    },
    etag,
  );
}

describe("plan with servers and contracts (built CLI, fake Incus)", () => {
  let repo: PlanRepo;
  beforeAll(async () => {
    repo = await PlanRepo.create({
      "infra/domains/web.yml": web(""),
      "infra/domains/data.yml": "",
    });
    cpSync(join(REPO, "templates"), join(repo.dir, "templates"), { recursive: true });
    cpSync(join(REPO, "templates.lock"), join(repo.dir, "templates.lock"));
    repo.commit("templates");
    // The instance exists and is up to date before any contract is declared.
    const applied = await repo.plumb(["apply", "--yes"]);
    expect(applied.code, applied.stderr).toBe(0);
  });
  afterAll(async () => {
    await repo.close();
  });

  it("validate: an unknown template (did-you-mean) and a server without host key, located", async () => {
    repo.write({
      "infra/domains/web.yml": web(`, contracts: [{template: mtod}]`),
      "infra/domains/db.yml": "db:\n  machines:\n    db-1: {type: server, address: db.example}\n",
    });
    const r = await repo.plumb(["validate", "--skip-templates"]);
    repo.write({ "infra/domains/web.yml": web(""), "infra/domains/db.yml": "" });

    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "error[PLB114]: machine 'web-1': no template 'mtod' under templates/\n --> infra/domains/web.yml:3:63",
    );
    expect(r.stderr).toContain("did you mean 'motd'?");
    expect(r.stderr).toContain(
      "error[PLB109]: server 'db-1' has no ssh.host_key\n --> infra/domains/db.yml:3:18",
    );
  });

  it("plans a new contract as a run: exit 2 with no Incus change, a Contracts section", async () => {
    repo.write({ "infra/domains/web.yml": web(WITH_CONTRACT) });
    const r = await repo.plumb(["plan", "--detailed-exitcode"]);

    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toContain("Contracts:");
    expect(r.stdout).toContain("  web-1 (instance web/web-1)");
    expect(r.stdout).toMatch(/▶ motd motd@1\.1\.0 will run \(new\)/);
    expect(r.stdout).toContain("risk low, consent NONE");
    expect(r.stdout).toContain('inputs banner="hello" owner="ops"');
    expect(r.stdout.trim().split("\n").at(-1)).toBe("No Incus changes; 1 contract run.");
  });

  it("reads the instance's user.plumb.contract.<name>: up to date, exit 0, and no Incus drift", async () => {
    const json = JSON.parse((await repo.plumb(["plan", "--json"])).stdout);
    const hash = json.contracts[0].hash as string;
    expect(json.summary.contracts).toBe(1);
    await recordRun(repo, hash);

    const again = await repo.plumb(["plan", "--detailed-exitcode", "--json"]);
    const plan = JSON.parse(again.stdout);

    expect(again.code).toBe(0);
    expect(plan.changes).toEqual([]);
    expect(plan.contracts[0]).toMatchObject({
      action: "none",
      reason: "up to date",
      liveHash: hash,
    });
    expect((await repo.plumb(["plan"])).stdout).toContain("No changes.");
  });

  it("a server: unreachable on loopback port 1 is planned as a run; --no-targets does not connect", async () => {
    repo.write({ "infra/domains/db.yml": SERVER });
    const read = JSON.parse((await repo.plumb(["plan", "--json"])).stdout);
    const skipped = JSON.parse((await repo.plumb(["plan", "--json", "--no-targets"])).stdout);
    const md = (await repo.plumb(["plan", "--format", "markdown", "--no-targets"])).stdout;

    const server = (p: { contracts: { machine: string }[] }) =>
      p.contracts.find((c) => c.machine === "db-1");
    expect(server(read)).toMatchObject({
      targetKind: "server",
      action: "run",
      reason: "unknown state (unreachable)",
    });
    expect(server(skipped)).toMatchObject({ action: "run", reason: "not read (--no-targets)" });
    // The domain is still an Incus project and bridge; the server itself is no Incus object.
    expect(read.changes.filter((c: { id: string }) => c.id.includes("db-1"))).toEqual([]);
    expect(md).toContain("#### Contracts (1 to run, 1 up to date)");
    expect(md).toContain("| `db-1 (server)` | `motd` | `motd@1.1.0` | `not read (--no-targets)` |");
  });

  it("apply re-derives a saved plan with its contracts: a changed contract makes it stale", async () => {
    repo.commit("server");
    const saved = await repo.plumb(["plan", "--no-targets", "--out", "plan.json"]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(repo.plan().contracts).toHaveLength(2);
    // Someone records another run on the instance after the plan was made.
    await recordRun(repo, `sha256:${"0".repeat(64)}`);

    const r = await repo.plumb(["apply", "plan.json", "--yes"]);

    expect(r.code).toBe(3);
    expect(r.stderr).toContain("PLB912");
    expect(r.stderr).toContain("contracts differs");
  });
});
