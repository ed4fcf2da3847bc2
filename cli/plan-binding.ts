// What binds a plan to its source, for plan, apply and approve: the git facts a plan records
// (head, base, clean), `--changed-since` domain selection, and the checks apply makes before
// re-deriving a saved plan (estate, plumb version, clean tree, head = plan's commit or a
// descendant that leaves infra/ and templates/ unchanged).
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { ExitCode, PlumbError, UsageError } from "../core/errors.js";
import {
  BOUND_PATHS,
  type GitDriver,
  gitDriver,
  type PlanGit,
  planGitFacts,
} from "../core/io/git.js";
import { readInfraInput } from "../core/io/read-infra.js";
import { adoptSecrets } from "../core/redact/plan-secrets.js";
import { StalePlanError } from "../reconcilers/apply/stale.js";
import { selectChanged } from "../reconcilers/plan/changed-since.js";
import { movedObjects, planDifferences } from "../reconcilers/plan/compare.js";
import { NOT_READ } from "../reconcilers/plan/contracts.js";
import { type PlanDocument, parsePlan } from "../reconcilers/plan/plan-document.js";
import { planFromRepo, type Session, toolVersion } from "./session.js";
import type { CommandContext, ParsedValues } from "./spec.js";

export interface GitForPlan {
  readonly git: PlanGit;
  /** Domains `--changed-since` selected (undefined: no selection, plan what --limit says). */
  readonly limit?: readonly string[];
  readonly note?: string;
}

/** The git facts of a new plan, and the domains `--changed-since <ref>` selects. */
export async function gitForPlan(
  git: GitDriver,
  root: string,
  changedSince: string | undefined,
  infraOption: string | undefined,
  declared: ReadonlySet<string>,
): Promise<GitForPlan> {
  if (changedSince === undefined) return { git: await planGitFacts(git) };
  const head = await git.headCommit();
  if (head === null)
    throw new PlumbError("PLB918", "--changed-since needs a git repository with a commit");
  const ref = await git.resolve(changedSince);
  if (ref === null)
    throw new PlumbError("PLB919", `--changed-since: '${changedSince}' names no commit here`);
  const base = (await git.mergeBase(ref, head)) ?? ref;
  const facts = await planGitFacts(git, base);
  const input = readInfraInput(root, infraOption);
  const infraPath =
    input.mode === "file" ? relative(root, resolve(root, input.file.path)) : input.dir;
  const committed = await git.changedBetween(base, head, [infraPath]);
  // Old contents of changed domain files: a domain removed or renamed there selects everything.
  const olds = new Map<string, string | null>();
  for (const p of committed) olds.set(p, await git.show(base, p));
  const full = selectChanged({
    changed: [...committed, ...facts.dirty],
    infra: { mode: input.mode, path: infraPath },
    textNow: (p) => {
      try {
        return readFileSync(join(root, p), "utf8");
      } catch {
        return null;
      }
    },
    textAtBase: (p) => olds.get(p) ?? null,
    declared,
  });
  if (full.all)
    return {
      git: facts,
      note: `--changed-since ${changedSince}: ${full.why}; planning every domain`,
    };
  return {
    git: facts,
    limit: full.domains,
    note: `--changed-since ${changedSince}: ${full.domains.length ? full.domains.join(", ") : "no domain"} changed`,
  };
}

const stale = (code: "PLB913" | "PLB914" | "PLB917", message: string, hint?: string) =>
  new PlumbError(code, message, { exitCode: ExitCode.stale, ...(hint ? { hint } : {}) });

/**
 * Before re-deriving a saved plan: same estate, same plumb, a clean tree (unless allowed) and a
 * head that is the plan's commit or a descendant leaving the bound paths unchanged.
 */
export async function assertPlanSource(
  plan: PlanDocument,
  here: { owner: string; toolVersion: string; git: GitDriver; allowDirty: boolean },
): Promise<void> {
  if (plan.owner !== here.owner) {
    throw stale(
      "PLB913",
      `the plan was made for estate '${plan.owner}', this repository declares '${here.owner}'`,
    );
  }
  if (plan.tool.version !== here.toolVersion) {
    throw stale(
      "PLB914",
      `the plan was made by plumb ${plan.tool.version}, this is plumb ${here.toolVersion}`,
      "plan again with this version",
    );
  }
  if (!plan.git.clean && !here.allowDirty) {
    const what =
      plan.git.head === null
        ? "outside a git repository"
        : `with uncommitted changes (${plan.git.dirty.slice(0, 5).join(", ")})`;
    throw new PlumbError("PLB915", `the plan was made ${what}`, {
      hint: "commit, plan again and review; or pass --allow-dirty to accept a plan no commit describes",
    });
  }
  const now = await planGitFacts(here.git);
  if (!now.clean && !here.allowDirty) {
    throw new PlumbError(
      "PLB916",
      now.head === null
        ? "no git repository here to check the plan's commit against"
        : `${BOUND_PATHS.join(", ")} have uncommitted changes: ${now.dirty.slice(0, 5).join(", ")}`,
      { hint: "commit or stash them (or pass --allow-dirty)" },
    );
  }
  if (plan.git.head === null || now.head === null) {
    if (here.allowDirty) return;
    throw new PlumbError("PLB918", "cannot check the plan's commit without git");
  }
  if (now.head === plan.git.head) return;
  if (!(await here.git.isAncestor(plan.git.head, now.head))) {
    throw stale(
      "PLB917",
      `HEAD ${now.head.slice(0, 12)} is neither the plan's commit ${plan.git.head.slice(0, 12)} nor a descendant of it`,
      `check out ${plan.git.head.slice(0, 12)} (or a later commit that keeps infra/ and templates/), or plan again`,
    );
  }
  const changed = await here.git.changedBetween(plan.git.head, now.head);
  if (changed.length > 0) {
    throw stale(
      "PLB917",
      `since the plan's commit ${plan.git.head.slice(0, 12)}, ${changed.length} bound file(s) changed: ${changed.slice(0, 5).join(", ")}`,
      "plan again from this commit and review the new plan",
    );
  }
}

/** What an apply depends on: the plan's inputs and the keyring (approvals are counted with it). */
export const APPLY_INPUT_PATHS: readonly string[] = [...BOUND_PATHS, "keys"];

/**
 * Before an apply: the uncommitted files under infra/, templates/ and keys/ (null outside a git
 * repository), with a warning naming them. Not a refusal: an operator applying the working tree
 * by hand is allowed to; the audit trail records it (`dirty: true`). A saved plan is refused
 * earlier when dirty (PLB915/PLB916) unless --allow-dirty.
 */
export async function warnDirtyInputs(
  ctx: CommandContext,
  root: string,
  git: GitDriver = gitDriver(root),
): Promise<readonly string[] | null> {
  const dirty = await git.dirtyPaths(APPLY_INPUT_PATHS);
  if (dirty === null || dirty.length === 0 || ctx.output.json) return dirty;
  const s = ctx.output.style;
  const shown = dirty.slice(0, 10).join(", ") + (dirty.length > 10 ? `, … (${dirty.length})` : "");
  ctx.output.err(
    s.yellow(
      `warning: applying uncommitted changes: ${shown} — what Incus gets is not in git; the audit trail records dirty: true. Commit them (a reviewed, saved plan is refused while they are uncommitted).`,
    ),
  );
  return dirty;
}

export function changedSinceOption(values: Record<string, unknown>): string | undefined {
  const v = values["changed-since"];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new UsageError("--changed-since needs a ref");
  if (values.limit)
    throw new UsageError("--changed-since and --limit both choose domains; pass one");
  return v;
}

/**
 * A saved plan is a claim: read it, re-derive it from this repository and live Incus, check what
 * binds it (estate, version, commit), and return it only if it is the same plan, change for change.
 */
export async function verifiedSavedPlan(
  ctx: CommandContext,
  values: ParsedValues,
  session: Session,
  file: string,
  allowDirty: boolean,
): Promise<PlanDocument> {
  let text: string;
  try {
    text = readFileSync(resolve(ctx.cwd, file), "utf8");
  } catch (e) {
    throw new PlumbError("PLB713", `cannot read ${file}: ${(e as Error).message}`);
  }
  const plan = parsePlan(text, file);
  const derived = await planFromRepo(
    ctx,
    values,
    session,
    plan.limit ?? undefined,
    (plan.contracts ?? []).some((c) => c.reason === NOT_READ) || undefined,
  );
  await assertPlanSource(plan, {
    owner: derived.estate.projectName,
    toolVersion: toolVersion(),
    git: gitDriver(session.root),
    allowDirty,
  });
  const moved = movedObjects(plan, derived.plan);
  if (moved.length > 0) {
    const shown = moved.slice(0, 10).join(", ");
    throw new StalePlanError(
      moved,
      `${moved.length} object(s) changed since the plan was made: ${shown}${moved.length > 10 ? ", …" : ""}`,
    );
  }
  const differences = planDifferences(plan, derived.plan);
  if (differences.length > 0) {
    throw new PlumbError(
      "PLB912",
      `${file} is not the plan derived now from the repository and live Incus: ${differences.slice(0, 8).join("; ")}${differences.length > 8 ? "; …" : ""}`,
      {
        exitCode: ExitCode.stale,
        hint: "nothing was changed; run `plumb plan --out plan.json` again and review the new plan",
      },
    );
  }
  // Same digests as the plan derived now: apply takes the sensitive values from it.
  return adoptSecrets(plan, derived.plan);
}
