// One way to run processes: no source module imports child_process or execa directly; every
// child process goes through core/exec/exec.ts (timeouts, no shell, PlumbErrors). Tests and test
// kits may spawn what they check against.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = join(import.meta.dirname, "..", "..");
const SOURCE_DIRS = ["cli", "core", "generators", "reconcilers", "validators"];
/** The exec module itself, and test kits (helpers of tests). */
const ALLOWED = new Set([
  "core/exec/exec.ts",
  "core/signing/test-kit.ts",
  "reconcilers/drivers/incus/testing/self-signed.ts",
]);

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

describe("child processes", () => {
  it("are started only by core/exec/exec.ts", () => {
    const offenders = SOURCE_DIRS.flatMap((d) => sources(join(REPO, d)))
      .map((f) => relative(REPO, f))
      .filter((f) => !ALLOWED.has(f))
      .filter((f) =>
        /from "(node:)?child_process"|from "execa"/.test(readFileSync(join(REPO, f), "utf8")),
      );
    expect(offenders).toEqual([]);
  });
});
