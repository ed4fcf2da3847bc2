// The generated Ansible files in the plan: what `plumb generate --check` finds (files to create
// or update, hand-edit conflicts, orphans), as plan entries inside the same document and digest
// as the Incus changes. Contents stay out of the plan (they may hold secrets): paths, hashes and
// line counts only. Pure: the generator's write plan in, entries out.
import { createHash } from "node:crypto";
import type { WritePlan } from "../../generators/ansible/plan-writes.js";
import { diffLines, splitLines } from "../../generators/line-diff.js";

export type FileAction = "create" | "update" | "conflict" | "orphan";
/** Exhaustive tables over file actions (a new action does not compile until each has one). */
export type FileActionTable<T> = { readonly [A in FileAction]: T };

export interface PlanFileChange {
  /** `host_vars/web-1.yml`, relative to the repository root. */
  readonly path: string;
  readonly action: FileAction;
  /** sha256 of the file now (absent: missing) and as `plumb generate` would write it. */
  readonly before?: string;
  readonly after?: string;
  /** Lines added and removed. */
  readonly added?: number;
  readonly removed?: number;
  /** Conflicts and orphans: why `plumb generate` will not (or not silently) write it. */
  readonly reason?: string;
}

const sha = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

function counts(before: string, after: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const e of diffLines(splitLines(before).lines, splitLines(after).lines)) {
    if (e.op === "insert") added++;
    else if (e.op === "delete") removed++;
  }
  return { added, removed };
}

export function fileChangesOf(plan: WritePlan): PlanFileChange[] {
  const out: PlanFileChange[] = [];
  for (const a of plan.actions) {
    switch (a.kind) {
      case "unchanged":
        break;
      case "create":
        out.push({
          path: a.path,
          action: "create",
          after: sha(a.after),
          added: splitLines(a.after).lines.length,
          removed: 0,
        });
        break;
      case "update":
        out.push({
          path: a.path,
          action: "update",
          before: sha(a.before),
          after: sha(a.after),
          ...counts(a.before, a.after),
        });
        break;
      case "conflict":
        out.push({
          path: a.path,
          action: "conflict",
          before: sha(a.before),
          reason: `${a.conflict.code}: ${a.conflict.message}`,
        });
        break;
    }
  }
  for (const o of plan.orphans) {
    out.push({
      path: o.path,
      action: "orphan",
      reason: o.protected
        ? "no longer generated (protected: remove by hand)"
        : "no longer generated (`plumb generate --prune` deletes it)",
    });
  }
  return out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}
