// The lint cache: a hit only for the same script, tool and arguments; corrupt and forged entries
// are ignored; concurrent writers leave valid entries; the machine secret is private.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cachedLintDriver, machineSecret } from "./lint-cache.js";
import type { LintDriver, ShellcheckFinding } from "./lint-driver.js";

const FINDING: ShellcheckFinding = {
  line: 1,
  column: 1,
  level: "warning",
  code: 2086,
  message: "m",
};

/** A driver that reports a finding for scripts containing `$x` unquoted, and counts its calls. */
function countingDriver() {
  const calls = { bash: 0, shellcheck: 0 };
  const driver: LintDriver = {
    bashSyntax: async (s) => {
      calls.bash++;
      return s.includes("((") ? "syntax error" : undefined;
    },
    shellcheck: async (s) => {
      calls.shellcheck++;
      return s.includes("echo $x") ? [FINDING] : [];
    },
  };
  return { driver, calls };
}

const cacheDir = () => mkdtempSync(join(tmpdir(), "plumb-lintcache-"));
const tool = (version: string) => async (name: string) => `${name}@${version}`;

describe("cachedLintDriver", () => {
  it("lints a script once; the same bytes are answered from the cache", async () => {
    const dir = cacheDir();
    const secret = randomBytes(32);
    const first = countingDriver();
    const a = cachedLintDriver(first.driver, { dir, secret, tool: tool("1") });
    expect(await a.shellcheck("echo $x\n")).toEqual([FINDING]);
    expect(await a.bashSyntax("((\n")).toBe("syntax error");
    expect(await a.bashSyntax("true\n")).toBeUndefined();

    const second = countingDriver();
    const b = cachedLintDriver(second.driver, { dir, secret, tool: tool("1") });
    expect(await b.shellcheck("echo $x\n")).toEqual([FINDING]);
    expect(await b.bashSyntax("((\n")).toBe("syntax error");
    expect(await b.bashSyntax("true\n")).toBeUndefined();

    expect(second.calls).toEqual({ bash: 0, shellcheck: 0 });
    expect(b.stats).toEqual({ hits: 3, misses: 0 });
  });

  it("misses when one byte of the script or the tool's version changes", async () => {
    const dir = cacheDir();
    const secret = randomBytes(32);
    await cachedLintDriver(countingDriver().driver, { dir, secret, tool: tool("1") }).shellcheck(
      "echo ok\n",
    );
    const c = countingDriver();
    const changedScript = cachedLintDriver(c.driver, { dir, secret, tool: tool("1") });
    await changedScript.shellcheck("echo ok \n");
    const changedTool = cachedLintDriver(c.driver, { dir, secret, tool: tool("2") });
    await changedTool.shellcheck("echo ok\n");

    expect(c.calls.shellcheck).toBe(2);
  });

  it("ignores a corrupt entry and rewrites it", async () => {
    const dir = cacheDir();
    const secret = randomBytes(32);
    await cachedLintDriver(countingDriver().driver, { dir, secret, tool: tool("1") }).shellcheck(
      "echo $x\n",
    );
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), "{not json");
    const c = countingDriver();

    const r = await cachedLintDriver(c.driver, { dir, secret, tool: tool("1") }).shellcheck(
      "echo $x\n",
    );

    expect(r).toEqual([FINDING]);
    expect(c.calls.shellcheck).toBe(1);
    for (const f of readdirSync(dir))
      expect(() => JSON.parse(readFileSync(join(dir, f), "utf8"))).not.toThrow();
  });

  it("two concurrent runs both finish and leave only valid entries", async () => {
    const dir = cacheDir();
    const secret = randomBytes(32);
    const scripts = Array.from({ length: 40 }, (_, i) => `echo ${i} $x\n`);
    const run = () => {
      const d = cachedLintDriver(countingDriver().driver, { dir, secret, tool: tool("1") });
      return Promise.all(scripts.map((s) => d.shellcheck(s)));
    };

    const [a, b] = await Promise.all([run(), run()]);

    expect(a).toEqual(b);
    const files = readdirSync(dir);
    expect(files).toHaveLength(40);
    const c = countingDriver();
    const reread = cachedLintDriver(c.driver, { dir, secret, tool: tool("1") });
    await Promise.all(scripts.map((s) => reread.shellcheck(s)));
    expect(c.calls.shellcheck).toBe(0);
  });

  it("without a secret it does not cache at all", async () => {
    const dir = cacheDir();
    const c = countingDriver();
    const d = cachedLintDriver(c.driver, { dir, secret: undefined, tool: tool("1") });
    await d.shellcheck("a\n");
    await d.shellcheck("a\n");
    expect(c.calls.shellcheck).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("machineSecret", () => {
  it("is created once, 32 bytes, mode 0600, outside the repository", () => {
    const cache = mkdtempSync(join(tmpdir(), "plumb-xdg-"));
    const env = { XDG_CACHE_HOME: cache };

    const a = machineSecret(env);
    const b = machineSecret(env);

    expect(a?.length).toBe(32);
    expect(b?.equals(a as Buffer)).toBe(true);
    expect(statSync(join(cache, "plumbline", "lint-cache.key")).mode & 0o777).toBe(0o600);
  });
});
