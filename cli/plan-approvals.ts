// The approvals a plan needs and has, read from the repository: the policy in
// <infra>/policies.yml and the verified keyring. Shared by apply, approve and plan's output.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Counted,
  countApprovals,
  type ExtraApprover,
  type Requirements,
  requiredApprovals,
} from "../core/approvals/approvals.js";
import {
  type ApprovalPolicy,
  EMPTY_POLICY,
  parseApprovalPolicy,
} from "../core/approvals/policy.js";
import { PlumbError } from "../core/errors.js";
import { loadVerifiedKeyring } from "../core/io/keyring-state.js";
import type { Keyring } from "../core/trust/keyring.js";
import type { PlanDocument } from "../reconcilers/plan/plan-document.js";

export interface ApprovalState {
  readonly requirements: Requirements;
  readonly counted: Counted;
  readonly keyring: Keyring | undefined;
}

/** The approvals policy of the repository at `root` (directory-mode infra only). */
export function readApprovalPolicy(root: string, infra = "infra") {
  const file = join(root, infra, "policies.yml");
  if (!existsSync(file)) return EMPTY_POLICY;
  return parseApprovalPolicy(readFileSync(file, "utf8"), join(infra, "policies.yml"));
}

/** The repository's keyring, verified through its chain; undefined when the repository has none. */
export function readVerifiedKeyring(
  root: string,
  env: NodeJS.ProcessEnv,
  now: Date,
): Keyring | undefined {
  if (!existsSync(join(root, "keys", "keyring.json"))) return undefined;
  return loadVerifiedKeyring(root, env, { now }).keyring;
}

export function approvalState(
  plan: PlanDocument,
  root: string,
  env: NodeJS.ProcessEnv,
  now: Date,
  extra: readonly ExtraApprover[] = [],
  policy: ApprovalPolicy = readApprovalPolicy(root),
): ApprovalState {
  const requirements = requiredApprovals(plan, policy);
  let keyring: Keyring | undefined;
  if (requirements.required > 0) {
    // Fail closed: approvals that are required cannot be counted against an invalid keyring.
    keyring = readVerifiedKeyring(root, env, now);
  } else if ((plan.approvals?.length ?? 0) > 0) {
    try {
      keyring = readVerifiedKeyring(root, env, now);
    } catch (e) {
      if (!(e instanceof PlumbError)) throw e;
    }
  }
  const counted = countApprovals({
    digest: plan.digest,
    approvals: plan.approvals ?? [],
    keyring,
    now,
    extra,
  });
  return { requirements, counted, keyring };
}
