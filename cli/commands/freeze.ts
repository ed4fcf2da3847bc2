// `plumb freeze [--at <time>] [--policy-base <ref>]`: the change-freeze windows of
// infra/policies.yml (here, and at each --policy-base commit: every window of either) in force now
// (or at a given time). Exit 0 when changes may go ahead, 1 (PLB950) inside a freeze.

import { UsageError } from "../../core/errors.js";
import { assertNotFrozen } from "../../core/freeze/guard.js";
import { activeFreezes } from "../../core/freeze/policy.js";
import { effectivePolicies, policyBaseOption } from "../policies.js";
import type { CommandModule } from "../spec.js";

export const run: CommandModule["run"] = async (ctx, values) => {
  const root = ctx.repoRoot();
  const at = typeof values.at === "string" ? new Date(values.at) : new Date();
  if (Number.isNaN(at.getTime()))
    throw new UsageError("--at must be an ISO time like 2026-12-24T12:00:00Z");
  const policy = (await effectivePolicies(root, policyBaseOption(values, ctx.env))).freeze;
  const active = activeFreezes(policy, at);
  if (ctx.output.json) {
    ctx.output.writeJson({
      version: 1,
      at: at.toISOString(),
      frozen: active.length > 0,
      active,
      windows: policy.windows.length,
    });
    return active.length > 0 ? 1 : 0;
  }
  if (active.length === 0) {
    ctx.output.out(
      `No change freeze at ${at.toISOString()} (${policy.windows.length} window(s) declared).`,
    );
    return 0;
  }
  assertNotFrozen(root, "plumb freeze", at, undefined, policy); // throws PLB950 with the reasons
  return 1;
};
