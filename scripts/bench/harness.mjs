// Tiny timing harness for whole-process benchmarks: runs a command several times and reports
// min / median wall seconds. Printed figures are the ones docs/ quotes.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const PLUMB = join(REPO, "dist", "cli", "main.js");

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `plumb-bench-${prefix}-`));
}

export function writeTree(root, files) {
  for (const [rel, text] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
}

export function cleanup(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs `argv` `runs` times (after `setup()` each time, untimed); returns seconds, sorted. */
export function time(argv, { cwd, runs = 5, setup, expectExit = 0, env } = {}) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    setup?.();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), {
      cwd,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", ...env },
    });
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (expectExit !== undefined && r.status !== expectExit) {
      throw new Error(
        `${argv.join(" ")} exited ${r.status} (expected ${expectExit}):\n${r.stderr.slice(-2000)}`,
      );
    }
    samples.push(dt);
  }
  return samples.sort((a, b) => a - b);
}

export function summary(samples) {
  const median = samples[Math.floor(samples.length / 2)];
  return { min: samples[0], median };
}

export const fmt = (s) => `${s.toFixed(3)} s`;

export function row(cells, widths) {
  return cells.map((c, i) => String(c).padEnd(widths[i] ?? 12)).join("  ");
}
