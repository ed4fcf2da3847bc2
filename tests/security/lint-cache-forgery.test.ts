// Attack: a pull-request author force-adds `.plumb/lint-cache/` entries claiming their script (or
// their whole templates/ tree) is clean. The cache key is public (content hash + tool identity),
// so they can name the file right; only the MAC with the machine's secret, which never lives in
// the repository, tells a genuine entry from a forged one. Forged entries must be ignored.

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cachedLintDriver, lintCacheDir } from "../../core/io/lint-cache.js";
import type { LintDriver } from "../../core/io/lint-driver.js";
import { readTemplates } from "../../core/io/read-templates.js";
import { templateCheckCache } from "../../core/io/template-check-cache.js";

const REPO = join(import.meta.dirname, "..", "..");
const PLUMB = join(REPO, "dist", "cli", "main.js");

describe("a forged lint-cache entry", () => {
  it("does not make a bad script pass the per-script cache", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plumb-forge-"));
    const bad = "rm -rf $1\n";
    // The attacker runs the same code with their own secret and a driver that finds nothing.
    const clean: LintDriver = { bashSyntax: async () => undefined, shellcheck: async () => [] };
    const tool = async (name: string) => `${name}@1`;
    await cachedLintDriver(clean, { dir, secret: randomBytes(32), tool }).shellcheck(bad);

    const honest: LintDriver = {
      bashSyntax: async () => undefined,
      shellcheck: async () => [
        { line: 1, column: 8, level: "warning", code: 2086, message: "quote" },
      ],
    };
    const victim = cachedLintDriver(honest, { dir, secret: randomBytes(32), tool });

    expect(await victim.shellcheck(bad)).toHaveLength(1);
    expect(victim.stats).toEqual({ hits: 0, misses: 1 });
  });

  it("does not make a tampered template tree pass `plumb validate`", async () => {
    const repo = mkdtempSync(join(tmpdir(), "plumb-forge-repo-"));
    mkdirSync(join(repo, ".git"));
    cpSync(join(REPO, "infra"), join(repo, "infra"), { recursive: true });
    cpSync(join(REPO, "templates"), join(repo, "templates"), { recursive: true });
    cpSync(join(REPO, "templates.lock"), join(repo, "templates.lock"));
    // The tampered template no longer matches its reviewed hash in templates.lock.
    const motd = join(repo, "templates", "motd", "template.yml");
    writeFileSync(motd, `${readFileSync(motd, "utf8")}# tampered\n`);
    // The attacker forges "2 templates, no problems" under the exact key, with their secret.
    const attacker = mkdtempSync(join(tmpdir(), "plumb-attacker-"));
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = attacker;
    try {
      const cache = await templateCheckCache(
        repo,
        readTemplates(repo),
        new URL("../../dist/build-id.txt", import.meta.url),
      );
      expect(cache).toBeDefined();
      await cache?.put({ count: 2, diagnostics: [] });
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
    expect(
      readFileSync(join(lintCacheDir(repo), "..", "..", "templates.lock"), "utf8"),
    ).toBeTruthy();

    const victim = mkdtempSync(join(tmpdir(), "plumb-victim-"));
    const r = spawnSync(process.execPath, [PLUMB, "validate"], {
      cwd: repo,
      encoding: "utf8",
      env: { ...process.env, XDG_CACHE_HOME: victim, NO_COLOR: "1" },
    });

    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error\[PLB8\d\d\]/);
  });
});
