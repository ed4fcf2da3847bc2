// `plumb pr comment` end to end (built CLI) against a local GitHub API on 127.0.0.1: one sticky
// comment updated in place, ordered parts for a big plan, surplus parts deleted when it shrinks,
// pagination past 100 comments, a spoofed marker left alone, GitHub Enterprise's /api/v3 base.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { serializePlan } from "../../reconcilers/plan/plan-document.js";
import { FakeGithub } from "../kit/fake-github.js";
import { syntheticPlan } from "../kit/plans.js";

const PLUMB = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");
const dir = mkdtempSync(join(tmpdir(), "plumb-pr-"));
let gh: FakeGithub | undefined;
afterEach(async () => {
  await gh?.close();
  gh = undefined;
});

function planFile(name: string, o: Parameters<typeof syntheticPlan>[0]): string {
  const f = join(dir, name);
  writeFileSync(f, serializePlan(syntheticPlan(o)));
  return f;
}

const plumb = (args: string[], env: Record<string, string | undefined>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [PLUMB, ...args],
      {
        cwd: dir,
        env: { PATH: process.env.PATH, NO_COLOR: "1", GITHUB_TOKEN: "test-token", ...env },
        maxBuffer: 1e8,
      },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });

describe("plumb pr comment (built CLI, local GitHub API)", () => {
  it("first run creates the comment, the second updates the same one", async () => {
    gh = await FakeGithub.start({ login: "plumb-bot" });
    const env = { GITHUB_API_URL: gh.url };
    const a = planFile("a.json", { domains: 2, machines: 4 });
    const r1 = await plumb(
      ["pr", "comment", a, "--repo", "acme/infra", "--pr", "7", "--json"],
      env,
    );
    expect(r1.code, r1.stderr).toBe(0);
    expect(JSON.parse(r1.stdout)).toMatchObject({ parts: 1, created: [expect.any(Number)] });
    const [first] = gh.list("acme", "infra", 7);
    expect(first?.body).toMatch(/^<!-- plumb:pr-comment estate=lab part=1 /);
    const b = planFile("b.json", { domains: 3, machines: 4 });
    const r2 = await plumb(
      ["pr", "comment", b, "--repo", "acme/infra", "--pr", "7", "--json"],
      env,
    );
    expect(JSON.parse(r2.stdout)).toMatchObject({ created: [], updated: [first?.id] });
    const after = gh.list("acme", "infra", 7);
    expect(after).toHaveLength(1);
    expect(after[0]?.body).toContain("Domain <code>dom2</code>");
    const r3 = await plumb(
      ["pr", "comment", b, "--repo", "acme/infra", "--pr", "7", "--json"],
      env,
    );
    expect(JSON.parse(r3.stdout)).toMatchObject({
      created: [],
      updated: [],
      unchanged: [first?.id],
    });
  }, 60_000);

  it("a 200 KB plan posts ordered parts under 65,536 characters; a smaller plan deletes the surplus", async () => {
    gh = await FakeGithub.start({ login: "plumb-bot" });
    const env = { GITHUB_API_URL: gh.url };
    const big = planFile("big.json", { domains: 6, machines: 60, padding: 700 });
    const r = await plumb(
      ["pr", "comment", big, "--repo", "acme/infra", "--pr", "9", "--json"],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const parts = [...gh.list("acme", "infra", 9)];
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expect(parts.reduce((n, p) => n + p.body.length, 0)).toBeGreaterThan(200_000);
    parts.forEach((p, i) => {
      expect(p.body.length).toBeLessThan(65_536);
      expect(p.body).toMatch(new RegExp(`^<!-- plumb:pr-comment estate=lab part=${i + 1} `));
      expect((p.body.match(/^```/gm) ?? []).length % 2).toBe(0);
    });
    const small = planFile("small.json", { domains: 1, machines: 2 });
    const r2 = await plumb(
      ["pr", "comment", small, "--repo", "acme/infra", "--pr", "9", "--json"],
      env,
    );
    const out = JSON.parse(r2.stdout);
    expect(out.deleted).toEqual(parts.slice(1).map((p) => p.id));
    expect(out.updated).toEqual([parts[0]?.id]);
    expect(gh.list("acme", "infra", 9)).toHaveLength(1);
  }, 60_000);

  it("past 100 other comments (pagination) there is still exactly one plumb comment; a spoofed marker is left alone", async () => {
    gh = await FakeGithub.start(); // GET /user → 403, like the Actions GITHUB_TOKEN
    const env = { GITHUB_API_URL: gh.url };
    gh.seed(
      "acme",
      "infra",
      3,
      "reviewer",
      Array.from({ length: 120 }, (_, i) => `LGTM ${i}`),
    );
    const plan = planFile("p.json", { domains: 1, machines: 3 });
    const r1 = await plumb(["pr", "comment", plan, "--repo", "acme/infra", "--pr", "3"], env);
    expect(r1.code, r1.stderr).toBe(0);
    // the PR author pastes a comment carrying our marker (to fake a reviewed plan)
    gh.seed("acme", "infra", 3, "pr-author", [
      "<!-- plumb:pr-comment estate=lab part=1 digest=sha256:evil -->\nall good",
    ]);
    gh.seed(
      "acme",
      "infra",
      3,
      "reviewer",
      Array.from({ length: 30 }, (_, i) => `more ${i}`),
    );
    const r2 = await plumb(["pr", "comment", plan, "--repo", "acme/infra", "--pr", "3"], env);
    expect(r2.code, r2.stderr).toBe(0);
    const ours = gh.list("acme", "infra", 3).filter((c) => c.login === "github-actions[bot]");
    expect(ours).toHaveLength(1);
    expect(gh.list("acme", "infra", 3).find((c) => c.login === "pr-author")?.body).toContain(
      "sha256:evil",
    );
    expect(gh.requests.some((q) => q.path.includes("/comments?per_page=100&page=2"))).toBe(true);
  }, 60_000);

  it("GitHub Enterprise: GITHUB_API_URL with /api/v3 is honoured; repository and PR from the Actions event file", async () => {
    gh = await FakeGithub.start({ prefix: "/api/v3", login: "ghe-bot" });
    const event = join(dir, "event.json");
    writeFileSync(
      event,
      JSON.stringify({ pull_request: { number: 12 }, repository: { full_name: "corp/estate" } }),
    );
    const plan = planFile("e.json", { domains: 1, machines: 1 });
    const r = await plumb(["pr", "comment", plan], {
      GITHUB_API_URL: gh.url,
      GITHUB_EVENT_PATH: event,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(gh.list("corp", "estate", 12)).toHaveLength(1);
    expect(gh.requests.every((q) => q.path.startsWith("/api/v3/"))).toBe(true);
  }, 60_000);

  it("without GITHUB_TOKEN or a PR number: PLB946; a wrong token: PLB945 (HTTP 401)", async () => {
    gh = await FakeGithub.start();
    const plan = planFile("t.json", { domains: 1, machines: 1 });
    const noToken = await plumb(["pr", "comment", plan, "--repo", "a/b", "--pr", "1"], {
      GITHUB_TOKEN: undefined,
    });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain("PLB946");
    const noPr = await plumb(["pr", "comment", plan, "--repo", "a/b"], { GITHUB_API_URL: gh.url });
    expect(noPr.stderr).toContain("PLB946");
    const bad = await plumb(["pr", "comment", plan, "--repo", "a/b", "--pr", "1"], {
      GITHUB_API_URL: gh.url,
      GITHUB_TOKEN: "nope",
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("PLB945");
    expect(bad.stderr).toContain("401");
    expect(bad.stderr).not.toContain("nope");
  }, 60_000);
});
