// Every consent denial is an audit event (`contract.denied`, P1): machine, contract, code and
// reason only, never inputs (they may hold secrets). Delivery calls this before recording the
// denied runs FAILED in its journal.
import { appendAudit } from "../audit/append.js";
import type { AuditEntry } from "../audit/envelope.js";
import type { ContractDenial } from "./consent.js";

export interface DenialContext {
  /** The apply run id, when there is one. */
  readonly run?: string;
  /** The plan digest the runs belong to. */
  readonly digest?: string;
  /** The apply.start entry, as parent. */
  readonly parentId?: string | null;
}

export function auditDenials(
  root: string,
  denials: readonly ContractDenial[],
  context: DenialContext = {},
): AuditEntry[] {
  return denials.map((d) =>
    appendAudit(root, {
      type: "contract.denied",
      priority: "P1",
      parent_id: context.parentId ?? null,
      payload: {
        run: context.run ?? null,
        digest: context.digest ?? null,
        machine: d.machine,
        contract: d.contract,
        code: d.code,
        reason: d.reason,
      },
    }),
  );
}
