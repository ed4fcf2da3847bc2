// kill -9 at chosen points of a plumb run, for the crash suites: a seeded random source (a failing
// run is replayed with its seed), the newest run's journal, and a kill landing a random delay
// after the journal first matches a marker (a change of one kind starting, the snapshot phase).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { plumbAsync } from "./reconcile-kit.js";

/** A small seeded generator (0 ≤ x < 1), so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Journal lines of the newest run in `dir`. */
export function journalText(dir: string): string {
  const runs = join(dir, ".plumb", "runs");
  const newest = existsSync(runs) ? readdirSync(runs).sort().at(-1) : undefined;
  const file = newest ? join(runs, newest, "journal.ndjson") : undefined;
  return file && existsSync(file) ? readFileSync(file, "utf8") : "";
}

/** Journal marker of a change of `kind` starting (optionally one action only). */
export const starting = (kind: string, action?: string) =>
  new RegExp(`"type":"change-start".*"id":"${kind}:${action ? `[^"]*","action":"${action}"` : ""}`);

/**
 * Starts `plumb <args>` and kills it with SIGKILL a random 0–`jitterMs` after its journal first
 * matches `marker` (a change of one kind starting: the kill lands inside that object's creation;
 * the pre-apply check passing: it lands in the snapshot phase). Returns how it was killed.
 */
export async function killAt(
  dir: string,
  args: string[],
  marker: RegExp,
  jitterMs: number,
  random: () => number,
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  const runsDir = join(dir, ".plumb", "runs");
  const before = existsSync(runsDir) ? readdirSync(runsDir).length : 0;
  const { child, done } = plumbAsync(args, dir, env);
  const jitter = Math.floor(random() * jitterMs);
  const t0 = Date.now();
  let seen = false;
  while (Date.now() - t0 < 60_000 && child.exitCode === null) {
    const fresh = existsSync(runsDir) && readdirSync(runsDir).length > before;
    if (fresh && marker.test(journalText(dir))) {
      seen = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await new Promise((r) => setTimeout(r, jitter));
  child.kill("SIGKILL");
  const r = await done;
  const point = `${marker.source} + ${jitter} ms`;
  if (!seen) return `${point} (never reached: exited ${r.code})`;
  return r.signal === "SIGKILL" ? point : `${point} (it had already exited ${r.code})`;
}
