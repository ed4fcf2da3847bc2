// Runs `bash -n` and `shellcheck` on script text (the template gatekeeper's logic stage).
// Behind an interface so the gatekeeper itself stays pure and testable.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PlumbError } from "../errors.js";

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

function run(
  cmd: string,
  args: string[],
  input: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, LC_ALL: "C.UTF-8" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "ENOENT"
          ? new PlumbError("PLB867", `${cmd} is not installed`, {
              hint: "apt-get install -y shellcheck (scripts/install-deps.sh does it)",
            })
          : e,
      ),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  });
}

export const systemLintDriver: LintDriver = {
  async bashSyntax(script) {
    // A file, not stdin: Node's stdio pipes are socket pairs, which /dev/stdin cannot reopen.
    const dir = mkdtempSync(join(tmpdir(), "plumb-lint-"));
    try {
      const file = join(dir, "script.sh");
      writeFileSync(file, script);
      const r = await run("bash", ["-n", file], "");
      return r.code === 0 ? undefined : r.stderr.trim().replaceAll(`${file}: `, "");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  async shellcheck(script) {
    const r = await run(
      "shellcheck",
      ["--format=json1", "--severity=warning", "--shell=bash", "-"],
      script,
    );
    if (r.code !== 0 && r.code !== 1)
      throw new PlumbError("PLB867", `shellcheck failed: ${r.stderr.trim()}`);
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
