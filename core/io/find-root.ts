// Finds the repository root: kept apart from the readers so `plumb --help` imports nothing heavy.
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Nearest ancestor of `start` (inclusive) holding `infra/` or `infra.yml`. */
export function findRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, "infra.yml")) || isDirectory(join(dir, "infra"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
