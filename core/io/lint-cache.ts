// A content-addressed cache of lint results (bash -n, shellcheck), so `plumb validate` reruns the
// tools only for scripts that changed. Lives in `<repo>/.plumb/lint-cache/`, one file per result:
//
//   key   = sha256(tool, its arguments, the tool's identity and version, the exact script text)
//   entry = { result, mac }, mac = HMAC-SHA256(machine secret, key + result)
//
// The key makes a stale hit impossible (any byte of the script or any tool change is a miss).
// The MAC makes a forged entry useless: `.plumb/` is git-ignored, but a pull request can still
// force-add `.plumb/lint-cache/<key>.json` claiming its bad script is clean; without the secret
// (kept outside the repository, in the user's cache directory, mode 0600) it cannot sign it, and an
// entry that does not verify is ignored like a corrupt one. Each entry is written atomically
// under its own name, so two concurrent runs at worst both write the same bytes.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  statSync,
  writeSync,
} from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { exec } from "../exec/exec.js";
import { writeFileAtomic } from "./atomic-write.js";
import {
  BASH_SYNTAX_ARGS,
  type LintDriver,
  SHELLCHECK_ARGS,
  type ShellcheckFinding,
} from "./lint-driver.js";
import { STATE_DIR } from "./plumb-state.js";

/** Bump when the entry format or what a result means changes. */
const FORMAT = 1;

export interface LintCacheOptions {
  /** `<repo>/.plumb/lint-cache` */
  readonly dir: string;
  /** The MAC key; `machineSecret()` by default. Undefined: no cache (lint every time). */
  readonly secret: Buffer | undefined;
  /** Identity + version of a tool (`bash`, `shellcheck`); `toolIdentity` by default. */
  readonly tool?: (name: string) => Promise<string>;
}

export interface LintCacheStats {
  hits: number;
  misses: number;
}

/** Wraps a driver: results come from the cache when a verified entry exists, else from `inner`. */
export function cachedLintDriver(
  inner: LintDriver,
  options: LintCacheOptions,
): LintDriver & { readonly stats: LintCacheStats } {
  const stats: LintCacheStats = { hits: 0, misses: 0 };
  const { dir, secret } = options;
  const tool = options.tool ?? memoizedToolIdentity(dir, secret);
  async function cached<T>(
    name: string,
    args: readonly string[],
    script: string,
    run: () => Promise<T>,
  ): Promise<T> {
    if (secret === undefined) return run();
    const key = createHash("sha256")
      .update(JSON.stringify([FORMAT, name, args, await tool(name)]))
      .update("\0")
      .update(script)
      .digest("hex");
    const hit = readEntry<T>(dir, key, secret);
    if (hit.found) {
      stats.hits++;
      return hit.value;
    }
    stats.misses++;
    const value = await run();
    await writeEntry(dir, key, secret, value);
    return value;
  }
  return {
    stats,
    bashSyntax: (script) =>
      cached(
        "bash",
        BASH_SYNTAX_ARGS,
        script,
        async () => (await inner.bashSyntax(script)) ?? null,
      ).then((v) => v ?? undefined),
    shellcheck: (script) =>
      cached<ShellcheckFinding[]>("shellcheck", SHELLCHECK_ARGS, script, () =>
        inner.shellcheck(script),
      ),
  };
}

function mac(secret: Buffer, key: string, result: string): Buffer {
  return createHmac("sha256", secret).update(key).update("\0").update(result).digest();
}

export function readEntry<T>(
  dir: string,
  key: string,
  secret: Buffer,
): { found: true; value: T } | { found: false } {
  try {
    const entry = JSON.parse(readFileSync(join(dir, `${key}.json`), "utf8")) as {
      result?: unknown;
      mac?: unknown;
    };
    if (typeof entry.result !== "string" || typeof entry.mac !== "string") return { found: false };
    const expected = mac(secret, key, entry.result);
    const given = Buffer.from(entry.mac, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { found: false };
    return { found: true, value: JSON.parse(entry.result) as T };
  } catch {
    return { found: false }; // absent, unreadable or corrupt: lint again
  }
}

export async function writeEntry(dir: string, key: string, secret: Buffer, value: unknown) {
  const result = JSON.stringify(value);
  try {
    mkdirSync(dir, { recursive: true });
    await writeFileAtomic(
      join(dir, `${key}.json`),
      `${JSON.stringify({ result, mac: mac(secret, key, result).toString("hex") })}\n`,
    );
  } catch {
    // A read-only checkout still validates; it just lints every time.
  }
}

/**
 * A tool's identity without running it: the resolved binary's path, size, mtime and inode (an
 * upgrade replaces the file). Its `--version` is asked once per identity and cached the same way.
 */
function memoizedToolIdentity(
  dir: string,
  secret: Buffer | undefined,
): (name: string) => Promise<string> {
  const memo = new Map<string, Promise<string>>();
  return (name) => {
    let p = memo.get(name);
    if (p === undefined) {
      p = toolIdentity(name, dir, secret);
      memo.set(name, p);
    }
    return p;
  };
}

export async function toolIdentity(
  name: string,
  dir: string,
  secret: Buffer | undefined,
): Promise<string> {
  const path = resolveOnPath(name);
  if (path === undefined) return `${name}:missing`; // running it will report PLB090
  const st = statSync(path);
  const identity = `${path}:${st.size}:${st.mtimeMs}:${st.ino}:${st.dev}`;
  if (secret === undefined) return identity;
  const key = createHash("sha256").update(`tool-version\0${identity}`).digest("hex");
  const hit = readEntry<string>(dir, key, secret);
  if (hit.found) return `${identity}:${hit.value}`;
  const r = await exec(path, ["--version"], { reject: false, timeoutMs: 10_000 });
  const version = (r.stdout.match(/version:? *([^\s(]+)/i)?.[1] ?? r.stdout.trim()).slice(0, 100);
  await writeEntry(dir, key, secret, version);
  return `${identity}:${version}`;
}

function resolveOnPath(name: string): string | undefined {
  for (const d of (process.env.PATH ?? "").split(delimiter)) {
    if (d === "") continue;
    try {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isFile() && (st.mode & 0o111) !== 0) return realpathSync(p);
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The machine's cache secret, in `$XDG_CACHE_HOME/plumbline/` (or `~/.cache/plumbline/`):
 * created once, 32 random bytes, mode 0600, never inside a repository. Undefined when it can be
 * neither read nor created (the cache is then off).
 */
export function machineSecret(env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache");
  const dir = join(base, "plumbline");
  const file = join(dir, "lint-cache.key");
  const read = () => {
    const b = readFileSync(file);
    return b.length === 32 ? b : undefined;
  };
  try {
    return read();
  } catch {
    // create it below
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = openSync(file, "wx", 0o600); // exclusive: a concurrent run's key wins
    try {
      writeSync(fd, randomBytes(32));
    } finally {
      closeSync(fd);
    }
  } catch {
    // created by a concurrent run, or not writable
  }
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** `<repo>/.plumb/lint-cache` */
export function lintCacheDir(root: string): string {
  return join(root, STATE_DIR, "lint-cache");
}

/** The lint driver for a repository: the system tools behind the repository's cache. */
export function repoLintDriver(root: string, inner: LintDriver): LintDriver {
  return cachedLintDriver(inner, { dir: lintCacheDir(root), secret: machineSecret() });
}
