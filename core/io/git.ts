// The git facts plumb records and checks (simple-git): the commit and its time for contracts
// and plans, whether the paths a plan depends on are committed, what changed since a ref, and
// whether one commit descends from another. Behind a small driver so tests use real temporary
// repositories and the binding logic stays pure.
import { existsSync } from "node:fs";
import { type SimpleGit, simpleGit } from "simple-git";
import { PlumbError } from "../errors.js";

/** What a plan's inputs are made of: a change elsewhere in the repository does not change a plan. */
export const BOUND_PATHS: readonly string[] = ["infra", "infra.yml", "templates", "templates.lock"];

export interface GitDriver {
  /** HEAD commit id, or null outside a repository / before the first commit. */
  headCommit(): Promise<string | null>;
  /** HEAD commit time (ISO-8601 UTC), or null. */
  headTime(): Promise<string | null>;
  /** Uncommitted paths (staged, unstaged, untracked) under `paths`; null outside a repository. */
  dirtyPaths(paths?: readonly string[]): Promise<string[] | null>;
  /** The commit a ref names, or null when it names none. */
  resolve(ref: string): Promise<string | null>;
  /** The best common ancestor of two commits, or null. */
  mergeBase(a: string, b: string): Promise<string | null>;
  /** True when `ancestor` is `commit` or one of its ancestors. */
  isAncestor(ancestor: string, commit: string): Promise<boolean>;
  /** Paths under `paths` that differ between two commits (relative to the working directory). */
  changedBetween(from: string, to: string, paths?: readonly string[]): Promise<string[]>;
  /** The text of `path` (relative to the working directory) at `commit`, or null if absent. */
  show(commit: string, path: string): Promise<string | null>;
}

const TIMEOUT_MS = 30_000;

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

/** Ref names from the command line: never an option, never a revision range or pathspec magic. */
function checkRef(ref: string): void {
  if (ref === "" || ref.startsWith("-") || /[\s\0:^~]|\.\./.test(ref.replace(/[~^]\d*$/, ""))) {
    throw new PlumbError("PLB919", `'${ref}' is not a plain git ref or commit id`, {
      hint: "pass a branch, tag or commit id, e.g. --changed-since origin/main",
    });
  }
}

export function gitDriver(cwd: string): GitDriver {
  let git: SimpleGit | undefined;
  const client = () => {
    git ??= simpleGit({
      baseDir: cwd,
      binary: "git",
      maxConcurrentProcesses: 2,
      timeout: { block: TIMEOUT_MS },
      // Fixed, so a user's config cannot change what plumb reads (quoting of names, pagers).
      config: ["core.quotePath=false", "color.ui=false"],
    });
    return git;
  };
  const raw = async (args: string[]): Promise<string | null> => {
    if (!existsSync(cwd)) return null;
    try {
      return await client().raw(args);
    } catch {
      return null;
    }
  };
  const commit = async (ref: string) =>
    (await raw(["rev-parse", "--verify", "-q", "--end-of-options", `${ref}^{commit}`]))?.trim() ||
    null;
  return {
    headCommit: () => commit("HEAD"),
    headTime: async () => {
      const t = (await raw(["log", "-1", "--format=%ct"]))?.trim();
      return t ? new Date(Number(t) * 1000).toISOString().replace(/\.000Z$/, "Z") : null;
    },
    dirtyPaths: async (paths = BOUND_PATHS) => {
      const out = await raw([
        "status",
        "--porcelain=v1",
        "--untracked-files=all",
        "--",
        ...paths.map((p) => `:(literal)${p}`),
      ]);
      if (out === null) return null;
      return lines(out).map((l) => l.slice(3));
    },
    resolve: async (ref) => {
      checkRef(ref);
      return commit(ref);
    },
    mergeBase: async (a, b) =>
      (await raw(["merge-base", "--end-of-options", a, b]))?.trim() || null,
    isAncestor: async (ancestor, c) => {
      if (ancestor === c) return true;
      // Not `merge-base --is-ancestor`: its "no" is a bare exit 1, which simple-git resolves
      // like a success when stderr is empty. The merge base of a and c is a iff a is an ancestor.
      const full = await commit(ancestor);
      const base = (await raw(["merge-base", "--end-of-options", ancestor, c]))?.trim();
      return full !== null && base === full;
    },
    changedBetween: async (from, to, paths = BOUND_PATHS) => {
      const out = await raw([
        "diff",
        "--name-only",
        "--no-renames",
        "--relative",
        from,
        to,
        "--",
        ...paths.map((p) => `:(literal)${p}`),
      ]);
      if (out === null) throw new PlumbError("PLB918", `git diff ${from} ${to} failed`);
      return lines(out);
    },
    show: async (c, path) => raw(["show", `${c}:./${path}`]),
  };
}

/**
 * Creation time for reproducible artifacts: SOURCE_DATE_EPOCH when set (the reproducible-builds
 * convention), else the HEAD commit time, else now.
 */
export async function reproducibleTime(
  env: NodeJS.ProcessEnv,
  git: GitDriver,
  now: () => Date = () => new Date(),
): Promise<string> {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch))
    return new Date(Number(epoch) * 1000).toISOString().replace(/\.000Z$/, "Z");
  return (
    (await git.headTime()) ??
    now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z")
  );
}

/** What a plan records about git: head, base (with --changed-since), and uncommitted inputs. */
export interface PlanGit {
  readonly head: string | null;
  /** The merge base of `--changed-since <ref>` and HEAD, or null. */
  readonly base: string | null;
  /** False when infra/ or templates/ had uncommitted changes (or there was no repository). */
  readonly clean: boolean;
  /** The uncommitted paths, as git names them (empty when clean). */
  readonly dirty: readonly string[];
}

export async function planGitFacts(git: GitDriver, base: string | null = null): Promise<PlanGit> {
  const [head, dirty] = await Promise.all([git.headCommit(), git.dirtyPaths()]);
  return {
    head,
    base,
    clean: head !== null && dirty !== null && dirty.length === 0,
    dirty: dirty ?? [],
  };
}

/** For plans made outside any repository (flush, tests). */
export const NO_GIT: PlanGit = { head: null, base: null, clean: false, dirty: [] };
