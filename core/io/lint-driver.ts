// Runs `bash -n` and `shellcheck` on script text (the template gatekeeper's logic stage), through
// core/exec/exec.ts. Behind an interface so the gatekeeper itself stays pure and testable;
// `cachedLintDriver` (lint-cache.ts) wraps it so unchanged scripts are not linted again.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PlumbError } from "../errors.js";
import { exec } from "../exec/exec.js";

export interface ShellcheckFinding {
  readonly line: number;
  readonly column: number;
  readonly level: string;
  readonly code: number;
  readonly message: string;
}

export interface LintDriver {
  /** `bash -n`: undefined when the syntax is valid, else bash's message. */
  bashSyntax(script: string): Promise<string | undefined>;
  /** shellcheck at warning level and above. */
  shellcheck(script: string): Promise<ShellcheckFinding[]>;
}

/**
 * The exact arguments each tool runs with: part of the cache key, so a change here invalidates
 * every cached result. `--norc`: a `.shellcheckrc` committed to the repository must not be able
 * to switch checks off; SHELLCHECK_OPTS is cleared for the same reason.
 */
export const SHELLCHECK_ARGS = [
  "--norc",
  "--format=json1",
  "--severity=warning",
  "--shell=bash",
  "-",
] as const;
export const BASH_SYNTAX_ARGS = ["-n"] as const;

const LINT_ENV = { LC_ALL: "C.UTF-8", SHELLCHECK_OPTS: "" };
const INSTALL_HINT = "apt-get install -y shellcheck (scripts/install-deps.sh does it)";

export const systemLintDriver: LintDriver = {
  async bashSyntax(script) {
    // A file, not stdin: bash -n reads a script file; the message names it, which we strip.
    const dir = mkdtempSync(join(tmpdir(), "plumb-lint-"));
    try {
      const file = join(dir, "script.sh");
      writeFileSync(file, script);
      const r = await exec("bash", [...BASH_SYNTAX_ARGS, file], {
        env: LINT_ENV,
        reject: false,
        installHint: "apt-get install -y bash",
      });
      return r.exitCode === 0 ? undefined : r.stderr.trim().replaceAll(`${file}: `, "");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  async shellcheck(script) {
    const r = await exec("shellcheck", SHELLCHECK_ARGS, {
      input: script,
      env: LINT_ENV,
      reject: false,
      installHint: INSTALL_HINT,
    });
    if (r.exitCode !== 0 && r.exitCode !== 1)
      throw new PlumbError("PLB867", `shellcheck failed: ${r.stderr.trim()}`, {
        hint: INSTALL_HINT,
      });
    const parsed = JSON.parse(r.stdout || '{"comments":[]}') as { comments: ShellcheckFinding[] };
    return parsed.comments.map(({ line, column, level, code, message }) => ({
      line,
      column,
      level,
      code,
      message,
    }));
  },
};
