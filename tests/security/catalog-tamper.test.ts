// Issue 12 item 1 (fail closed): a repository writer edits a catalog action without the lock.
// `plumb validate` must refuse it (PLB861) even when an earlier run cached a clean verdict for
// the same templates/ tree: the verdict cache covers the catalog files too.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const REPO = join(import.meta.dirname, "..", "..");
const PLUMB = join(REPO, "dist", "cli", "main.js");
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("issue 12.1: a tampered catalog action loads nothing", () => {
  it("validate refuses an action edited after locking, cached verdict or not", () => {
    const root = mkdtempSync(join(tmpdir(), "plumb-catalog-"));
    const cache = mkdtempSync(join(tmpdir(), "plumb-catalog-cache-"));
    dirs.push(root, cache);
    cpSync(join(REPO, "templates"), join(root, "templates"), { recursive: true });
    cpSync(join(REPO, "templates.lock"), join(root, "templates.lock"));
    writeFileSync(
      join(root, "infra.yml"),
      "project_name: t\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  web:\n    machines:\n      web-1: {}\n",
    );
    const validate = () =>
      spawnSync(process.execPath, [PLUMB, "--root", root, "validate"], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, XDG_CACHE_HOME: cache, NO_COLOR: "1" },
      });
    const first = validate();
    expect(first.status, first.stderr).toBe(0);
    const f = join(root, "templates", "actions", "service-restart.yml");
    writeFileSync(f, readFileSync(f, "utf8").replace("risk_level: MEDIUM", "risk_level: LOW"));
    const second = validate();
    expect(second.status).toBe(1);
    expect(second.stderr).toContain("PLB861");
    expect(second.stderr).toContain("templates/actions/service-restart.yml");
  }, 120_000);
});
