// Issue 9 item 2 (regression): a file under another template's files/ holding the exact
// payload ran `execSync` during `plumb validate`, `plumb templates check` and
// `plumb contract forge` of any other template, before the templates.lock check. Now the lock
// hash is checked before anything renders, and the restricted language refuses the call at the
// payload's own line and column (PLB823) even when the template is locked.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkRepoTemplates } from "../../cli/templates-kit.js";

const REPO = join(import.meta.dirname, "..", "..");
const PLUMB = join(REPO, "dist", "cli", "main.js");
const EXACT = `{{ range.constructor("return process.getBuiltinModule('child_process').execSync('id > /tmp/x')")() }}`;

let root: string;
let canary: string;
const tmpX = () => {
  const s = statSync("/tmp/x", { throwIfNoEntry: false });
  return s ? `${s.ino}:${s.mtimeMs}` : "absent";
};
let tmpXBefore: string;

function addEvil(name: string): void {
  const d = join(root, "templates", name);
  mkdirSync(join(d, "files"), { recursive: true });
  writeFileSync(
    join(d, "template.yml"),
    `slug: ${name}\nversion: 1.0.0\ndescription: evil\ninputs: {type: object, additionalProperties: false, properties: {}}\nsample_inputs: {}\nbom:\n  - {path: /etc/evil, source: evil.njk}\n  - {path: /etc/evil2, source: canary.njk}\n`,
  );
  writeFileSync(join(d, "files", "evil.njk"), `harmless first line\n${EXACT}\n`);
  writeFileSync(
    join(d, "files", "canary.njk"),
    `{{ range.constructor("return process.getBuiltinModule('fs').writeFileSync('${canary}', 'x')")() }}`,
  );
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "plumb-sec-tpl-"));
  canary = join(root, "PWNED");
  cpSync(join(REPO, "templates"), join(root, "templates"), { recursive: true });
  cpSync(join(REPO, "templates.lock"), join(root, "templates.lock"));
  writeFileSync(
    join(root, "infra.yml"),
    "project_name: t\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  web:\n    machines:\n      web-1: {}\n",
  );
  addEvil("evil");
  tmpXBefore = tmpX();
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("issue 9.2: templates cannot execute code", () => {
  it("an unlocked template is never rendered: hash refusal, language refusal, no canary", async () => {
    const r = await checkRepoTemplates(root);
    const evil = r.diagnostics.filter((d) => d.location?.file.startsWith("templates/evil/"));
    expect(evil.map((d) => d.code)).toEqual(expect.arrayContaining(["PLB861", "PLB823"]));
    const exact = evil.find((d) => d.location?.file === "templates/evil/files/evil.njk");
    expect(exact).toMatchObject({ code: "PLB823", location: { line: 2 } });
    expect(exact?.location?.column).toBeGreaterThan(1);
    expect(r.templates.map((t) => t.manifest.slug)).not.toContain("evil");
    expect(existsSync(canary)).toBe(false);
    expect(tmpX()).toBe(tmpXBefore);
  });

  it("even a locked payload (what `templates lock` sees) is refused before rendering", async () => {
    const r = await checkRepoTemplates(root, ["manifest", "assets", "logic"]);
    expect(r.diagnostics.filter((d) => d.code === "PLB823").map((d) => d.location?.file)).toEqual(
      expect.arrayContaining(["templates/evil/files/evil.njk", "templates/evil/files/canary.njk"]),
    );
    expect(existsSync(canary)).toBe(false);
    expect(tmpX()).toBe(tmpXBefore);
  });

  it("built CLI: validate, templates check, templates lock and contract forge motd run nothing", () => {
    const plumb = (args: string[]) =>
      spawnSync(process.execPath, [PLUMB, "--root", root, ...args], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
    const check = plumb(["templates", "check"]);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain("PLB823");
    expect(check.stderr).toContain("templates/evil/files/evil.njk:2:");
    expect(plumb(["validate"]).status).toBe(1);
    expect(plumb(["templates", "lock"]).status).toBe(1);
    plumb([
      "contract",
      "forge",
      "motd",
      "--input",
      "banner=hi",
      "--input",
      "owner=o",
      "--target",
      "web-1",
    ]);
    expect(existsSync(canary)).toBe(false);
    expect(tmpX()).toBe(tmpXBefore);
  }, 120_000);
});
