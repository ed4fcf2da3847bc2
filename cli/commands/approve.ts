// `plumb approve plan.json --key <file> | --agent`: adds an SSHSIG signature over the plan digest
// by an approver-role key to the plan file (outside the digest), then reports what the plan has
// and what policies.yml requires.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { signApproval } from "../../core/approvals/approvals.js";
import { PlumbError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/io/atomic-write.js";
import { parsePlan, serializePlan } from "../../reconcilers/plan/plan-document.js";
import { approvalState, readVerifiedKeyring } from "../plan-approvals.js";
import { rootOrCwd } from "../session.js";
import { signerFrom } from "../signer-options.js";
import type { CommandModule } from "../spec.js";

export const run: CommandModule["run"] = async (ctx, values, positionals) => {
  const out = ctx.output;
  const file = resolve(ctx.cwd, positionals[0] as string);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new PlumbError("PLB713", `cannot read ${positionals[0]}: ${(e as Error).message}`);
  }
  const plan = parsePlan(text, positionals[0]);
  const root = rootOrCwd(ctx);
  const now = new Date();
  const keyring = readVerifiedKeyring(root, ctx.env, now);
  if (!keyring) {
    throw new PlumbError("PLB923", "this repository has no keyring (keys/keyring.json)", {
      hint: "create one with `plumb keys init` and give approvers the approver role",
    });
  }
  const signer = await signerFrom(values, ctx.cwd, ctx.env);
  const approval = await signApproval(plan.digest, keyring, signer, now);
  // One approval per key: a second run replaces the key's earlier approval.
  const approvals = [
    ...(plan.approvals ?? []).filter((a) => a.fingerprint !== approval.fingerprint),
    approval,
  ];
  const approved = { ...plan, approvals };
  await writeFileAtomic(file, serializePlan(approved));
  const state = approvalState(approved, root, ctx.env, now);
  const have = state.counted.approvers.length;
  const need = state.requirements.required;
  if (out.json) {
    out.writeJson({
      version: 1,
      digest: plan.digest,
      approved_by: approval.principal,
      fingerprint: approval.fingerprint,
      approvers: state.counted.approvers,
      rejected: state.counted.rejected,
      required: need,
      reasons: state.requirements.reasons,
      forbidden: state.requirements.forbidden,
    });
  } else {
    out.out(
      `Approved ${positionals[0]} (digest ${plan.digest.slice(0, 19)}…) as ${approval.principal} (${approval.fingerprint}).`,
    );
    const reasons = state.requirements.reasons.map((r) => `${r.risk}: ${r.needs}`).join(", ");
    out.out(
      `${have} distinct approval(s); policies.yml requires ${need}${reasons ? ` (${reasons})` : ""}.${have < need ? ` ${need - have} more needed.` : ""}`,
    );
    for (const r of state.counted.rejected) out.err(out.style.yellow(`ignored: ${r.reason}`));
    for (const f of state.requirements.forbidden)
      out.err(out.style.red(`host access is forbidden for ${f.id} (trust level ${f.trustLevel})`));
  }
  return 0;
};
