// The generated-file part of a plan, for people (terminal lines) and the PR comment: one line per
// file that `plumb generate` would create, update, or reports (conflicts, orphans). Typed table
// over every file action; paths are escaped like every other plan datum.
import type { Styler } from "../../core/output/output.js";
import type { PlanDocument } from "../../reconcilers/plan/plan-document.js";
import type { FileActionTable, PlanFileChange } from "../../reconcilers/plan/plan-files.js";
import { termSafe } from "./plan-escape.js";

const FILE_SYMBOL: FileActionTable<string> = {
  create: "+",
  update: "~",
  conflict: "!",
  orphan: "?",
};
const FILE_VERB: FileActionTable<string> = {
  create: "will be created",
  update: "will be updated",
  conflict: "has hand edits in its managed section (generate refuses it)",
  orphan: "is no longer generated",
};
const FILE_COLOUR: FileActionTable<keyof Styler> = {
  create: "green",
  update: "yellow",
  conflict: "red",
  orphan: "dim",
};

export function fileLine(f: PlanFileChange, s: Styler): string {
  const lines =
    f.added !== undefined || f.removed !== undefined
      ? ` (+${f.added ?? 0} -${f.removed ?? 0} lines)`
      : "";
  const why = f.reason ? `: ${termSafe(f.reason)}` : "";
  const paint = s[FILE_COLOUR[f.action] ?? "red"];
  return `${paint((FILE_SYMBOL[f.action] ?? "?").padStart(3))} ${s.bold(`file ${termSafe(f.path)}`)} ${s.dim(`${FILE_VERB[f.action] ?? termSafe(String(f.action))}${lines}${why}`)}`;
}

/** The section under the Incus changes (empty when the generated tree is up to date). */
export function fileSection(plan: PlanDocument, s: Styler): string[] {
  const files = plan.files ?? [];
  if (files.length === 0) return [];
  return [
    "Generated Ansible files (what `plumb generate --check` finds):",
    "",
    ...files.map((f) => fileLine(f, s)),
    "",
  ];
}

/** One line after the summary; undefined when no generated file differs. */
export function filesText(plan: PlanDocument): string | undefined {
  const n = plan.files?.length ?? 0;
  if (n === 0) return undefined;
  return `Generated files: ${n} out of date — run \`plumb generate\` and commit them (apply does not write them).`;
}
