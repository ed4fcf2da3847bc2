// `plumb validate` with nothing changed reuses the template verdict and the lint results
// (.plumb/lint-cache/): shellcheck does not run again; a different shellcheck binary is a miss.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = join(import.meta.dirname, "..", "..");
const PLUMB = join(REPO, "dist", "cli", "main.js");

function setup() {
  const repo = mkdtempSync(join(tmpdir(), "plumb-vcache-"));
  mkdirSync(join(repo, ".git"));
  for (const f of ["infra", "templates", "templates.lock"])
    cpSync(join(REPO, f), join(repo, f), { recursive: true });
  const bin = mkdtempSync(join(tmpdir(), "plumb-vcache-bin-"));
  const log = join(bin, "calls.log");
  const real = spawnSync("bash", ["-c", "command -v shellcheck"], {
    encoding: "utf8",
  }).stdout.trim();
  const wrapper = (tag: string) => {
    writeFileSync(
      join(bin, "shellcheck"),
      `#!/bin/bash\n# ${tag}\necho "$*" >> "${log}"\nexec "${real}" "$@"\n`,
    );
    chmodSync(join(bin, "shellcheck"), 0o755);
  };
  wrapper("v1");
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), "plumb-vcache-xdg-")),
    NO_COLOR: "1",
  };
  const validate = () =>
    spawnSync(process.execPath, [PLUMB, "validate"], { cwd: repo, encoding: "utf8", env });
  const calls = () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").length - 1 : 0);
  return { repo, env, validate, calls, wrapper };
}

describe("validate reuses cached template checks", () => {
  it("runs shellcheck on the first run only, and again when shellcheck changes", () => {
    const t = setup();

    const first = t.validate();
    const afterFirst = t.calls();
    const second = t.validate();
    const afterSecond = t.calls();
    t.wrapper("v2 — a different binary");
    const third = t.validate();

    expect(first.status).toBe(0);
    expect(second.status).toBe(0);
    expect(third.status).toBe(0);
    expect(second.stderr).toBe(first.stderr);
    expect(afterFirst).toBeGreaterThan(0);
    expect(afterSecond).toBe(afterFirst);
    expect(t.calls()).toBeGreaterThan(afterSecond);
  });

  it("two runs at once both succeed and leave a usable cache", async () => {
    const t = setup();
    const { spawn } = await import("node:child_process");
    const run = () =>
      new Promise<number | null>((resolve) => {
        const p = spawn(process.execPath, [PLUMB, "validate", "-q"], {
          cwd: t.repo,
          env: t.env,
          stdio: "ignore",
        });
        p.on("close", resolve);
      });

    const codes = await Promise.all([run(), run()]);

    expect(codes).toEqual([0, 0]);
    const before = t.calls();
    expect(t.validate().status).toBe(0);
    expect(t.calls()).toBe(before);
  }, 180_000);

  it("a corrupt cache is ignored", () => {
    const t = setup();
    expect(t.validate().status).toBe(0);
    const dir = join(t.repo, ".plumb", "lint-cache");
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), "garbage");
    const before = t.calls();

    const r = t.validate();

    expect(r.status).toBe(0);
    expect(t.calls()).toBeGreaterThan(before);
  });
});
