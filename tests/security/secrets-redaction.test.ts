// Attack: a secret written in infra (`environment.DB_PASSWORD`, a profile's `environment.API_TOKEN`)
// leaks through what plumb prints or writes — plan (text, markdown, JSON, the saved file), generate
// --dry-run and the generated Ansible files, apply's logs, journal and audit trail. Before the fix
// `plan` and `generate --dry-run` printed the value verbatim. And the fix must not break apply:
// the instance still receives the real value, from a fresh plan and from a saved one.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlanRepo } from "../kit/plan-repo.js";

const DB = "hunter2-Zx9q7Lw3";
const TOKEN = "tok-Qm4v8Rj2Pp";
const NEXT = "rotated-Ab3Cd5Ef";

const web = (password: string) => `web:
  profiles:
    app:
      config: {environment.API_TOKEN: "${TOKEN}"}
  machines:
    web-1:
      profiles: [default, app]
      config: {limits.cpu: "1", environment.DB_PASSWORD: "${password}", environment.HOME: /root}
`;

/** Every file under the repository but what the user wrote (infra/) and git's own store. */
function writtenFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const rel = relative(dir, p);
      if (rel === ".git" || rel === "infra") continue;
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

const leaks = (text: string) => [DB, TOKEN, NEXT].filter((s) => text.includes(s));

describe("secrets never leave infra (built CLI, fake Incus)", () => {
  let repo: PlanRepo;
  beforeAll(async () => {
    repo = await PlanRepo.create({
      "infra/domains/web.yml": web(DB),
      "infra/domains/data.yml": "",
    });
  });
  afterAll(async () => {
    await repo.close();
  });

  it("plan in every format, and the saved plan file, show a digest instead", async () => {
    const human = await repo.plumb(["plan"]);
    const md = await repo.plumb(["plan", "--format", "markdown"]);
    const json = await repo.plumb(["plan", "--json", "--out", "plan.json"]);

    for (const r of [human, md, json]) {
      expect(r.code, r.stderr).toBe(0);
      expect(leaks(r.stdout + r.stderr)).toEqual([]);
    }
    expect(human.stdout).toMatch(
      /config\.environment\.DB_PASSWORD = "\(sensitive\) sha256:[0-9a-f]{12}"/,
    );
    expect(human.stdout).toContain('config.environment.HOME = "/root"');
    expect(leaks(repo.read("plan.json"))).toEqual([]);
  });

  it("generate --dry-run and the generated files carry the digest", async () => {
    const dry = await repo.plumb(["generate", "--dry-run"]);
    const wrote = await repo.plumb(["generate"]);

    expect(dry.code, dry.stderr).toBe(0);
    expect(leaks(dry.stdout + dry.stderr)).toEqual([]);
    expect(dry.stdout).toContain("(sensitive) sha256:");
    expect(wrote.code, wrote.stderr).toBe(0);
    expect(repo.read("host_vars/web-1.yml")).toContain(
      "environment.DB_PASSWORD: (sensitive) sha256:",
    );
    expect(leaks(repo.read("host_vars/web-1.yml") + repo.read("group_vars/web.yml"))).toEqual([]);
  });

  it("apply gives Incus the real value; its logs, journal and audit do not hold it", async () => {
    repo.commit("generated");
    const r = await repo.plumb(["apply", "--yes", "--log-format", "json"]);

    expect(r.code, r.stderr).toBe(0);
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
    const live = (await repo.driver.getInstance("web", "web-1")).value.config;
    const profile = (await repo.driver.getProfile("web", "app")).value.config;
    expect(live["environment.DB_PASSWORD"]).toBe(DB);
    expect(profile["environment.API_TOKEN"]).toBe(TOKEN);
  });

  it("a saved plan applies the new value it only holds as a digest", async () => {
    repo.write({ "infra/domains/web.yml": web(NEXT) });
    await repo.plumb(["generate"]);
    repo.commit("rotate");
    const saved = await repo.plumb(["plan", "--out", "plan.json"]);
    expect(saved.stdout).toMatch(
      /~ config\.environment\.DB_PASSWORD: "\(sensitive\) sha256:[0-9a-f]{12}" → "\(sensitive\) sha256:[0-9a-f]{12}"/,
    );

    const r = await repo.plumb(["apply", "plan.json", "--yes"]);

    expect(r.code, r.stderr).toBe(0);
    expect(
      (await repo.driver.getInstance("web", "web-1")).value.config["environment.DB_PASSWORD"],
    ).toBe(NEXT);
    expect(leaks(repo.read("plan.json"))).toEqual([]);
  });

  it("no file plumb wrote under the repository (.plumb/ journals, audit, plans, Ansible) holds a secret", () => {
    const files = writtenFiles(repo.dir);

    expect(files.some((f) => f.includes(`${join(".plumb", "")}`))).toBe(true);
    const found = files
      .filter((f) => leaks(readFileSync(f, "latin1")).length > 0)
      .map((f) => relative(repo.dir, f));
    expect(found).toEqual([]);
  });
});
