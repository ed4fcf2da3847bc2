// The policies that bind a plan: infra/policies.yml of the working tree (the plan's commit) AND
// of every base commit (the plan's recorded git base, `--policy-base <ref>`), the stricter
// applying — so a pull request cannot lower its own bar (approvals, freeze, host access).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type ApprovalPolicy,
  EMPTY_POLICY,
  parseApprovalPolicy,
  stricterApprovalPolicy,
} from "../core/approvals/policy.js";
import { PlumbError, UsageError } from "../core/errors.js";
import {
  DEFAULT_OVERRIDE_APPROVALS,
  type FreezePolicy,
  parseFreezePolicy,
  stricterFreezePolicy,
} from "../core/freeze/policy.js";
import { type GitDriver, gitDriver } from "../core/io/git.js";

export const POLICIES = "infra/policies.yml";

export interface Policies {
  readonly approval: ApprovalPolicy;
  readonly freeze: FreezePolicy;
  /** Where they were read: `infra/policies.yml` and `<commit>:infra/policies.yml`. */
  readonly sources: readonly string[];
}

const NO_FREEZE: FreezePolicy = { windows: [], overrideApprovals: DEFAULT_OVERRIDE_APPROVALS };

function parseBoth(
  text: string,
  label: string,
): { approval: ApprovalPolicy; freeze: FreezePolicy } {
  return { approval: parseApprovalPolicy(text, label), freeze: parseFreezePolicy(text, label) };
}

/** `--policy-base <ref>` values (repeatable), plus PLUMB_POLICY_BASE. */
export function policyBaseOption(
  values: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv,
): string[] {
  const v = values["policy-base"];
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  if (list.some((x) => typeof x !== "string" || x === ""))
    throw new UsageError("--policy-base needs a git ref or commit id");
  const fromEnv = env.PLUMB_POLICY_BASE ? [env.PLUMB_POLICY_BASE] : [];
  return [...(list as string[]), ...fromEnv];
}

/**
 * The stricter of the working tree's policies and those at each base commit. A base that names
 * no commit is an error (PLB919): a policy that cannot be read is not silently skipped.
 */
export async function effectivePolicies(
  root: string,
  bases: readonly (string | null | undefined)[],
  git: GitDriver = gitDriver(root),
): Promise<Policies> {
  const file = join(root, POLICIES);
  let approval = EMPTY_POLICY;
  let freeze = NO_FREEZE;
  const sources: string[] = [];
  if (existsSync(file)) {
    ({ approval, freeze } = parseBoth(readFileSync(file, "utf8"), POLICIES));
    sources.push(POLICIES);
  }
  const seen = new Set<string>();
  for (const ref of bases) {
    if (!ref) continue;
    const commit = await git.resolve(ref);
    if (commit === null)
      throw new PlumbError("PLB919", `policy base '${ref}' names no commit here`, {
        hint: "fetch the base branch (actions/checkout with fetch-depth: 0) or pass another --policy-base",
      });
    if (seen.has(commit)) continue;
    seen.add(commit);
    const text = await git.show(commit, POLICIES);
    if (text === null) continue; // the base has no policies.yml: nothing stricter there
    const base = parseBoth(text, `${commit.slice(0, 12)}:${POLICIES}`);
    approval = stricterApprovalPolicy(approval, base.approval);
    freeze = stricterFreezePolicy(freeze, base.freeze);
    sources.push(`${commit.slice(0, 12)}:${POLICIES}`);
  }
  return { approval, freeze, sources };
}

/** The policies for a plan: its recorded base, and the bases given on the command line. */
export function policiesForPlan(
  root: string,
  plan: { readonly git: { readonly base: string | null } },
  values: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv,
): Promise<Policies> {
  return effectivePolicies(root, [plan.git.base, ...policyBaseOption(values, env)]);
}
