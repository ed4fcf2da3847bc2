// The freeze check apply and the reconcile job run before anything changes: refuses inside a
// change-freeze window (PLB950), unless an emergency override names a reason and the plan holds
// the policy's number of distinct approvals — then a P0 `freeze.override` audit event is written
// before going on.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { appendAudit } from "../audit/append.js";
import { markAudited } from "../audit/hooks.js";
import { PlumbError } from "../errors.js";
import {
  type ActiveFreeze,
  activeFreezes,
  type FreezePolicy,
  parseFreezePolicy,
} from "./policy.js";

export const POLICIES_FILE = join("infra", "policies.yml");

export function readFreezePolicy(root: string): FreezePolicy {
  const file = join(root, POLICIES_FILE);
  if (!existsSync(file)) return { windows: [], overrideApprovals: 2 };
  return parseFreezePolicy(readFileSync(file, "utf8"), POLICIES_FILE);
}

export interface FreezeOverride {
  /** Why the freeze must be broken (recorded in the P0 audit event). */
  readonly reason: string;
  /** Distinct approvers counted on the plan (keyring signatures, approving reviews). */
  readonly approvers: readonly string[];
  readonly digest: string;
}

export interface FreezeVerdict {
  readonly frozen: boolean;
  readonly active: readonly ActiveFreeze[];
  readonly overridden: boolean;
}

function describe(a: ActiveFreeze): string {
  return `${a.reason} (${a.window}: ${a.from} until ${a.until})`;
}

/** Throws PLB950 / PLB952 when changes may not go ahead now; returns what was decided. */
export function assertNotFrozen(
  root: string,
  command: string,
  now: Date,
  override?: FreezeOverride,
  policy: FreezePolicy = readFreezePolicy(root),
): FreezeVerdict {
  const active = activeFreezes(policy, now);
  if (active.length === 0) return { frozen: false, active, overridden: false };
  const what = active.map(describe).join("; ");
  if (override === undefined)
    throw new PlumbError("PLB950", `change freeze in force: ${what}`, {
      hint: `wait until ${active
        .map((a) => a.until)
        .sort()
        .at(
          -1,
        )}, or for an emergency: --freeze-override "<why>" on a saved plan holding ${policy.overrideApprovals} approval(s) (\`plumb approve\`)`,
    });
  const distinct = [...new Set(override.approvers)];
  if (distinct.length < policy.overrideApprovals || override.reason.trim() === "") {
    appendAudit(root, {
      type: "refusal",
      priority: "P1",
      payload: {
        command,
        code: "PLB952",
        freeze: active,
        approvers: distinct,
        needed: policy.overrideApprovals,
      },
    });
    // Recorded here with the approvers and the threshold; the command's error handler skips it.
    throw markAudited(
      new PlumbError(
        "PLB952",
        override.reason.trim() === ""
          ? "a freeze override needs a reason"
          : `a freeze override needs ${policy.overrideApprovals} distinct approval(s) of the plan; it has ${distinct.length}`,
        {
          hint: "approvers sign the saved plan with `plumb approve plan.json --key <file>`; then retry",
        },
      ),
    );
  }
  appendAudit(root, {
    type: "freeze.override",
    priority: "P0",
    payload: {
      command,
      reason: override.reason,
      freeze: active,
      approvers: distinct,
      digest: override.digest,
    },
  });
  return { frozen: true, active, overridden: true };
}

/**
 * The override asked for on the command line (`--freeze-override "<why>"`), with the distinct
 * approvers of the plan (computed only when an override is asked for).
 */
export function freezeOverride(
  values: Readonly<Record<string, unknown>>,
  plan: { readonly digest: string },
  approvers: () => readonly string[] = () => [],
): FreezeOverride | undefined {
  const reason = values["freeze-override"];
  if (typeof reason !== "string") return undefined;
  return { reason, approvers: approvers(), digest: plan.digest };
}
