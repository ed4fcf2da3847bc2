// One call for apply's contract phase (before anything is delivered): the signing keys' roles
// from the verified keyring, the consent decision per run, and the audit of every denial. Returns
// the runs that may go ahead; the denied ones are for the journal (FAILED with their code).
import type { ContractChange } from "../../reconcilers/plan/contract-change.js";
import type { SshPublicKey } from "../signing/public-key.js";
import type { Keyring } from "../trust/keyring.js";
import { auditDenials } from "./audit.js";
import {
  type ApprovalStateLike,
  type ConsentApprovals,
  type ConsentResult,
  checkContractConsent,
} from "./consent.js";
import { applySigners } from "./signers.js";

export interface ApplyConsentInput {
  /** Repository root (the audit trail lives under it). */
  readonly root: string;
  readonly keyring: Keyring;
  /** Public keys of the keys that sign the bundles. */
  readonly signers: readonly SshPublicKey[];
  readonly changes: readonly ContractChange[];
  readonly yes: boolean;
  readonly interactive: boolean;
  readonly approvals: ConsentApprovals | ApprovalStateLike;
  readonly now: Date;
  readonly run?: string;
  readonly digest?: string;
}

export interface ApplyConsent extends ConsentResult {
  /** The runs (action "run") that are not denied, in plan order. */
  readonly allowed: readonly ContractChange[];
  /** The denied runs, each with its denial. */
  readonly denied: readonly {
    readonly change: ContractChange;
    readonly code: string;
    readonly reason: string;
  }[];
}

export function consentForApply(input: ApplyConsentInput): ApplyConsent {
  const signers = applySigners(input.keyring, input.signers, input.now);
  const result = checkContractConsent({
    changes: input.changes,
    signerRoles: signers.roles,
    yes: input.yes,
    interactive: input.interactive,
    approvals: input.approvals,
  });
  if (result.denials.length > 0)
    auditDenials(input.root, result.denials, {
      ...(input.run !== undefined ? { run: input.run } : {}),
      ...(input.digest !== undefined ? { digest: input.digest } : {}),
    });
  const key = (machine: string, name: string) => `${machine}\u0000${name}`;
  const byKey = new Map(result.denials.map((d) => [key(d.machine, d.contract), d]));
  const runs = input.changes.filter((c) => c.action === "run");
  return {
    ...result,
    allowed: runs.filter((c) => !byKey.has(key(c.machine, c.name))),
    denied: runs.flatMap((c) => {
      const d = byKey.get(key(c.machine, c.name));
      return d ? [{ change: c, code: d.code, reason: d.reason }] : [];
    }),
  };
}
