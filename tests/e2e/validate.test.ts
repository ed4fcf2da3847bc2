// End-to-end: the built CLI as a child process on the example estate and on broken trees.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = join(import.meta.dirname, "..", "..");
const PLUMB = join(REPO, "dist", "cli", "main.js");

function plumb(args: string[], cwd = REPO) {
  const r = spawnSync(process.execPath, [PLUMB, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "plumb-e2e-"));
  for (const [rel, text] of Object.entries(files)) writeFileSync(join(dir, rel), text);
  return dir;
}

describe("plumb validate (built CLI)", () => {
  it("accepts the bundled example estate", () => {
    const r = plumb(["validate"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/valid: 4 domains, 10 machines in 6 files, 3 templates/);
  });

  it("rejects a bad tree with file:line:col, the source line, a caret and a hint", () => {
    const dir = tree({
      "infra.yml":
        "project_name: x\nglobal:\n  addressing: {base_octet: 10}\ndomains:\n  web:\n    machines:\n      w1:\n        ip: 10.120.9.1\n",
    });
    const r = plumb(["validate"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB302]");
    expect(r.stderr).toContain("--> infra.yml:8:13");
    expect(r.stderr).toContain("8 |         ip: 10.120.9.1");
    expect(r.stderr).toMatch(/\n\s+\|\s{13}\^{10}\n/);
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
  });

  it("--format json gives a versioned document", () => {
    const dir = tree({
      "infra.yml": "project_name: x\nglobal: {}\ndomains:\n  web:\n    subnet_id: 300\n",
    });
    const r = plumb(["validate", "--format", "json"], dir);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.version).toBe(1);
    expect(doc.ok).toBe(false);
    expect(doc.diagnostics.map((d: { code: string }) => d.code)).toContain("PLB104");
    expect(doc.diagnostics[0]).toMatchObject({ file: "infra.yml", line: 5, column: 16 });
  });

  it("--format github prints workflow annotations", () => {
    const dir = tree({
      "infra.yml":
        "project_name: x\nglobal: {}\ndomains: {}\nnetwork_policies:\n  - {from: a, to: host}\n",
    });
    const r = plumb(["validate", "--format", "github"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error file=infra\.yml,line=5,col=12,title=PLB402 error::\[PLB402\]/m,
    );
  });

  it("an unknown key fails by default; --allow-unknown-keys is the explicit opt-out", () => {
    const dir = tree({
      "infra.yml":
        "project_name: x\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  web:\n    machines:\n      w1: {typ: vm}\n",
    });
    const strict = plumb(["validate", "--skip-templates"], dir);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain("error[PLB106]: unknown key 'typ'");
    expect(strict.stderr).toContain("did you mean 'type'?");
    const relaxed = plumb(["validate", "--skip-templates", "--allow-unknown-keys"], dir);
    expect(relaxed.code).toBe(0);
    expect(relaxed.stderr).toContain("warning[PLB106]");
  });

  it("anklume's ai-tools keys (file_portal, export_apps) validate with a note", () => {
    const dir = tree({
      "infra.yml":
        "project_name: x\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  ai-tools:\n    file_portal: true\n    machines:\n      gpu-1: {export_apps: [code]}\n",
    });
    const r = plumb(["validate", "--skip-templates", "--strict"], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("note[PLB108]");
    const gh = plumb(["validate", "--skip-templates", "--format", "github"], dir);
    expect(gh.stdout).toMatch(/^::notice file=infra\.yml,line=5,col=5,title=PLB108 note::/m);
  });

  it("a YAML syntax error is reported, not thrown", () => {
    const dir = tree({ "infra.yml": "project_name: x\nglobal: {\ndomains: [\n" });
    const r = plumb(["validate"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB006]");
    expect(r.stderr).not.toContain("    at ");
  });

  it("no input found is a clear error with a hint", () => {
    const dir = mkdtempSync(join(tmpdir(), "plumb-empty-"));
    const r = plumb(["validate", "--root", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB001]");
    expect(r.stderr).toContain("hint:");
  });

  it("unknown options and commands are usage errors", () => {
    expect(plumb(["validate", "--nope"]).stderr).toContain("error[PLB900]");
    const r = plumb(["valdate"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("did you mean 'validate'?");
  });

  it("--help teaches: usage, options, examples", () => {
    const r = plumb(["validate", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: plumb validate");
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain("--strict");
  });

  it("--version prints the package version", () => {
    const r = plumb(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
