// Consent at apply, before any change: the contract runs' notices and confirmations are printed
// (the confirmations right before apply's prompt, or as confirmed by --yes), and a denied run
// (missing role PLB971, no confirmation PLB972, high risk without approvals PLB973) refuses the
// apply. Each denial is audited (`contract.denied`, core/consent/audit.ts) and recorded FAILED
// in the machine's run journal. Decisions: core/consent/ (docs/contracts.md "Consent and roles").
import type { Code } from "../core/codes.js";
import { type ApprovalStateLike, consentForApply } from "../core/consent/index.js";
import { PlumbError } from "../core/errors.js";
import type { Signer } from "../core/signing/signer.js";
import type { Keyring } from "../core/trust/keyring.js";
import { appendJournal } from "../reconcilers/delivery/journal.js";
import type { ContractChange } from "../reconcilers/plan/contract-change.js";
import type { CommandContext, ParsedValues } from "./spec.js";

export function enforceContractConsent(
  ctx: CommandContext,
  values: ParsedValues,
  input: {
    readonly root: string;
    readonly digest: string;
    readonly runs: readonly ContractChange[];
    readonly keyring: Keyring;
    readonly signers: readonly Signer[];
    readonly approvals: ApprovalStateLike | undefined;
  },
): void {
  const yes = values.yes === true;
  const now = new Date();
  const decided = consentForApply({
    root: input.root,
    keyring: input.keyring,
    signers: input.signers.map((s) => s.publicKey),
    changes: input.runs,
    yes,
    interactive: process.stdin.isTTY === true,
    approvals: input.approvals ?? { approvers: 0 },
    now,
    digest: input.digest,
  });
  const out = ctx.output;
  const s = out.style;
  if (!out.json) {
    for (const n of decided.notices) out.err(`${s.cyan("notice")}  ${n}`);
    for (const c of decided.confirmations)
      out.err(`${s.yellow("confirm")} ${c}${yes ? s.dim(" (confirmed by --yes)") : ""}`);
  }
  const first = decided.denied[0];
  if (!first) return;
  // Recorded before the refusal: `plumb contracts status` shows why these runs did not happen.
  const run = `denied-${now.toISOString().replace(/[-:.]/g, "")}`;
  for (const d of decided.denied)
    appendJournal(input.root, {
      ts: now.toISOString(),
      run,
      machine: d.change.machine,
      contract: d.change.name,
      hash: d.change.hash,
      status: "FAILED",
      template: d.change.template,
      code: d.code,
      message: d.reason,
    });
  throw new PlumbError(
    first.code as Code,
    `${decided.denied.length} contract run(s) denied before any change: ${decided.denied
      .map((d) => `${d.change.machine}/${d.change.name} [${d.code}] ${d.reason}`)
      .join("; ")}`,
    {
      hint: "grant the role (`plumb keys trust <pub> --role <role>`) and sign with that key, get the plan approved (`plumb approve`), or confirm with --yes",
    },
  );
}
