// An interrupted `plumb generate` (killed at arbitrary moments, as Ctrl-C or a crash would)
// never leaves a half-written file: each file holds its old bytes or its new bytes, and the next
// run converges and clears the temporary files.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isTempFile } from "../../core/io/atomic-write.js";
// @ts-expect-error: plain ESM helper of the benchmarks, without type declarations
import { synthEstate } from "../../scripts/bench/synth.mjs";

const REPO = join(import.meta.dirname, "..", "..");
const PLUMB = join(REPO, "dist", "cli", "main.js");
const DIRS = ["inventory", "group_vars", "host_vars"];

/** Relative path → text of the generated files (or the stray temporary files) under `root`. */
function tree(root: string, temps = false): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of DIRS) {
    if (!existsSync(join(root, d))) continue;
    for (const f of readdirSync(join(root, d))) {
      if (isTempFile(f) !== temps) continue;
      out.set(`${d}/${f}`, readFileSync(join(root, d, f), "utf8"));
    }
  }
  return out;
}

function generate(cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [PLUMB, "generate", "--quiet"], { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return performance.now() - t0;
}

/** Runs plumb generate and kills it with SIGKILL after `ms` milliseconds (if still running). */
function killedAfter(cwd: string, ms: number): Promise<void> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [PLUMB, "generate", "--quiet"], { cwd, stdio: "ignore" });
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("exit", () => {
      clearTimeout(timer);
      done();
    });
  });
}

describe("plumb generate, interrupted", () => {
  it("leaves each file old or new at any kill point; the next run converges", async () => {
    // Given a tree generated for one estate, and a changed estate to regenerate it from
    const oldText = (synthEstate(40, 20) as { file: string }).file;
    const newText = oldText.replaceAll("Synthetic machine", "Renamed machine");
    const base = mkdtempSync(join(tmpdir(), "plumb-int-old-"));
    writeFileSync(join(base, "infra.yml"), oldText);
    generate(base);
    const before = tree(base);
    const after = mkdtempSync(join(tmpdir(), "plumb-int-new-"));
    cpSync(base, after, { recursive: true });
    writeFileSync(join(after, "infra.yml"), newText);
    const full = generate(after);
    const expected = tree(after);
    expect([...expected.keys()]).toEqual([...before.keys()]);

    // When the regeneration is killed at points spread over a full run's duration
    for (const fraction of [0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]) {
      const dir = mkdtempSync(join(tmpdir(), "plumb-int-"));
      cpSync(base, dir, { recursive: true });
      writeFileSync(join(dir, "infra.yml"), newText);
      await killedAfter(dir, Math.round(full * fraction));
      // Then every file holds its old or its new bytes, never anything else
      for (const [path, text] of tree(dir)) {
        expect(
          text === before.get(path) || text === expected.get(path),
          `${path} after a kill at ${Math.round(fraction * 100)}% of a run`,
        ).toBe(true);
      }
      // And the next run finishes the job and clears what the killed run left behind
      generate(dir);
      expect(tree(dir)).toEqual(expected);
      expect([...tree(dir, true).keys()]).toEqual([]);
    }
  }, 180_000);
});
