// A saved plan against the plan re-derived now from the repository and live Incus: equal change
// for change, or the list of what differs. Pure. The creation time and the git facts are not
// compared (the git binding is checked on its own: a descendant commit has another head).
import { canonicalize } from "../../core/signing/canonical-json.js";
import type { PlanDocument } from "./plan-document.js";

/** Fields compared whole (besides `changes`, compared one by one). */
const COMPARED = [
  "owner",
  "target",
  "tool",
  "limit",
  "projects",
  "settings",
  "host",
  "observed",
  "risk",
  "files",
  "contracts",
] as const satisfies readonly (keyof PlanDocument)[];

const same = (a: unknown, b: unknown) => canonicalize(a ?? null) === canonicalize(b ?? null);

export function planDifferences(saved: PlanDocument, derived: PlanDocument): string[] {
  const out: string[] = [];
  const n = Math.max(saved.changes.length, derived.changes.length);
  for (let i = 0; i < n; i++) {
    const a = saved.changes[i];
    const b = derived.changes[i];
    if (a === undefined && b !== undefined)
      out.push(`missing from the saved plan: ${b.action} ${b.id}`);
    else if (b === undefined && a !== undefined)
      out.push(`not in the plan derived now: ${a.action} ${a.id}`);
    else if (!same(a, b)) {
      out.push(
        a?.id === b?.id && a?.action === b?.action
          ? `change ${i + 1} (${a?.action} ${a?.id}) differs`
          : `change ${i + 1} is ${a?.action} ${a?.id} in the saved plan, ${b?.action} ${b?.id} now`,
      );
    }
  }
  for (const f of COMPARED) if (!same(saved[f], derived[f])) out.push(`${f} differs`);
  return out;
}

/** Objects whose observed hash differs between the two plans (live Incus moved). */
export function movedObjects(saved: PlanDocument, derived: PlanDocument): string[] {
  const now = new Map(derived.observed.map((o) => [o.id, o.hash]));
  const ids = new Set([...saved.observed.map((o) => o.id), ...now.keys()]);
  const before = new Map(saved.observed.map((o) => [o.id, o.hash]));
  return [...ids].filter((id) => (before.get(id) ?? null) !== (now.get(id) ?? null)).sort();
}
