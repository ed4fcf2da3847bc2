// Test kit: run real bash on script text (written to a private temp file).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function runBash(
  script: string,
  options: { env?: Record<string, string>; args?: string[] } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), "plumb-bash-"));
  try {
    const file = join(dir, "script.sh");
    writeFileSync(file, script, { mode: 0o700 });
    const r = spawnSync("bash", [file, ...(options.args ?? [])], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
