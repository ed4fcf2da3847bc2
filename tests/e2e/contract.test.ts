// End-to-end: `plumb templates` and `plumb contract forge` as child processes on a temp repo.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runPlumbSync } from "../kit/cli.js";
import { signTemplatesLock } from "../kit/lock-sign.js";

const REPO = join(import.meta.dirname, "..", "..");
let root: string;

function plumb(args: string[], env: Record<string, string> = {}) {
  return runPlumbSync(["--root", root, ...args], { cwd: root, env: { ...env } });
}

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), "plumb-contract-"));
  cpSync(join(REPO, "templates"), join(root, "templates"), { recursive: true });
  cpSync(join(REPO, "templates.lock"), join(root, "templates.lock"));
  // Forging loads the catalog only from a lock signed by the keyring's contract threshold.
  await signTemplatesLock(root);
  writeFileSync(
    join(root, "infra.yml"),
    "project_name: t\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  web:\n    machines:\n      web-1: {}\n",
  );
});

describe("plumb templates", () => {
  it("check passes on the bundled templates", () => {
    const r = plumb(["templates", "check"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("3 templates passed manifest, assets, logic and hash checks");
  });

  it("a template edited without updating the lock fails with a hint; lock fixes it", () => {
    const f = join(root, "templates", "motd", "files", "motd.njk");
    writeFileSync(f, `${readFileSync(f, "utf8")}extra line\n`);
    const r = plumb(["templates", "check", "--format", "json"]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.diagnostics.map((d: { code: string }) => d.code)).toEqual(["PLB861"]);
    expect(doc.diagnostics[0].hint).toContain("plumb templates lock");
    expect(plumb(["templates", "lock"]).code).toBe(0);
    expect(plumb(["templates", "check"]).code).toBe(0);
  });
});

describe("plumb contract forge", () => {
  const forgeArgs = [
    "contract",
    "forge",
    "motd",
    "--input",
    "banner=Hello $(id)",
    "--input",
    "owner=ops",
    "--target",
    "web-1",
    "--json",
  ];

  it("writes contract.sh and hfc.json, reproducibly under SOURCE_DATE_EPOCH", () => {
    const a = plumb([...forgeArgs, "--out", "a"], { SOURCE_DATE_EPOCH: "1700000000" });
    const b = plumb([...forgeArgs, "--out", "b"], { SOURCE_DATE_EPOCH: "1700000000" });
    expect(a.code).toBe(0);
    const doc = JSON.parse(a.stdout);
    expect(doc.hfc.header).toMatchObject({
      template: "motd@1.1.0",
      target: "web-1",
      created_at: "2023-11-14T22:13:20Z",
    });
    expect(readFileSync(join(root, "a", "contract.sh"))).toEqual(
      readFileSync(join(root, "b", "contract.sh")),
    );
    expect(readFileSync(join(root, "a", "hfc.json"))).toEqual(
      readFileSync(join(root, "b", "hfc.json")),
    );
    expect(JSON.parse(b.stdout).script.sha256).toBe(doc.script.sha256);
  });

  it("refuses an unknown target (PLB866) with a suggestion", () => {
    const r = plumb([
      "contract",
      "forge",
      "motd",
      "--input",
      "banner=x",
      "--input",
      "owner=o",
      "--target",
      "web-2",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB866]");
    expect(r.stderr).toContain("did you mean 'web-1'?");
  });

  it("refuses inputs outside the template's schema (PLB864) and malformed --input (PLB865)", () => {
    const missing = plumb([
      "contract",
      "forge",
      "motd",
      "--input",
      "banner=x",
      "--target",
      "web-1",
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error[PLB864]");
    expect(missing.stderr).toContain("missing input 'owner'");
    expect(
      plumb(["contract", "forge", "motd", "--input", "banner", "--target", "web-1"]).stderr,
    ).toContain("error[PLB865]");
  });

  it("refuses to forge from a template that fails the gatekeeper", () => {
    writeFileSync(
      join(root, "templates", "motd", "files", "motd.njk"),
      "{{ undefined_variable }}\n",
    );
    const r = plumb([
      "contract",
      "forge",
      "motd",
      "--input",
      "banner=x",
      "--input",
      "owner=o",
      "--target",
      "web-1",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB850]");
  });
});
