// The CLI's error boundary, end to end: a reader closing the pipe early (`plumb … | head -1`)
// and a directory given where a file is expected end cleanly, without a stack trace.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromSystemError } from "../../cli/run.js";

const PLUMB = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");

/** Runs `plumb <args> | <reader>` in bash; returns plumb's exit status and stderr. */
function piped(args: string, reader: string) {
  const script = `"${process.execPath}" "${PLUMB}" ${args} 2>"$ERR" | ${reader}; echo "\${PIPESTATUS[0]}"`;
  const dir = mkdtempSync(join(tmpdir(), "plumb-pipe-"));
  const err = join(dir, "stderr");
  const r = spawnSync("bash", ["-c", `${script}; cat "$ERR" >&2`], {
    encoding: "utf8",
    env: { ...process.env, ERR: err, NO_COLOR: "1" },
  });
  return { status: r.stdout.trim().split("\n").pop(), stderr: r.stderr };
}

describe("broken pipes", () => {
  it.each([
    ["--help", "true"],
    ["schema", "true"],
    ["schema", "head -1 >/dev/null"],
    ["validate --help", "head -c 10 >/dev/null"],
  ])("plumb %s | %s ends cleanly", (args, reader) => {
    for (let i = 0; i < 3; i++) {
      const r = piped(args, reader);
      expect(r.stderr).not.toContain("EPIPE");
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.status).toBe("0");
    }
  });
});

describe("a directory where a file is expected", () => {
  it("keys init --pub <dir> is PLB015 naming the directory, not PLB999", () => {
    const dir = mkdtempSync(join(tmpdir(), "plumb-dir-"));
    mkdirSync(join(dir, "infra"));
    const keyDir = join(dir, "not-a-key");
    mkdirSync(keyDir);

    const r = spawnSync(
      process.execPath,
      [PLUMB, "keys", "init", "--pub", keyDir, "--org", "acme", "--root", dir],
      { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
    );

    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error[PLB015]");
    expect(r.stderr).toContain(keyDir);
    expect(r.stderr).not.toContain("PLB999");
  });

  it("maps file-system errors with a path to PLB015, leaves others alone", () => {
    const e = Object.assign(new Error("x"), { code: "ENOENT", path: "/nope", syscall: "open" });

    expect(fromSystemError(e)?.code).toBe("PLB015");
    expect(fromSystemError(e)?.message).toBe("cannot read /nope: it does not exist");
    expect(fromSystemError(new Error("plain"))).toBeUndefined();
    expect(fromSystemError(Object.assign(new Error("x"), { code: "EIO" }))).toBeUndefined();
  });
});
