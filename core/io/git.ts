// The few git facts plumb records (commit id and time for contracts and plans), behind a
// small driver so tests can use real temporary repositories or inject values.
import { spawnSync } from "node:child_process";

export interface GitDriver {
  /** HEAD commit id, or null outside a repository / before the first commit. */
  headCommit(): string | null;
  /** HEAD commit time (ISO-8601 UTC), or null. */
  headTime(): string | null;
}

export function gitDriver(cwd: string): GitDriver {
  const git = (...args: string[]) => {
    const r = spawnSync("git", args, { cwd, encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  return {
    headCommit: () => git("rev-parse", "--verify", "-q", "HEAD"),
    headTime: () => {
      const t = git("log", "-1", "--format=%ct");
      return t ? new Date(Number(t) * 1000).toISOString().replace(/\.000Z$/, "Z") : null;
    },
  };
}

/**
 * Creation time for reproducible artifacts: SOURCE_DATE_EPOCH when set (the reproducible-builds
 * convention), else the HEAD commit time, else now.
 */
export function reproducibleTime(
  env: NodeJS.ProcessEnv,
  git: GitDriver,
  now: () => Date = () => new Date(),
): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch))
    return new Date(Number(epoch) * 1000).toISOString().replace(/\.000Z$/, "Z");
  return (
    git.headTime() ??
    now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z")
  );
}
