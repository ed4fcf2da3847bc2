// Plan: rendered tree + existing files → one action per file, and the orphans. Every file is
// checked (markers, hand edits) before anything is written, so a conflict anywhere means the
// apply step never starts. The plan is plain data, versioned, and can be printed as JSON.
import type { Code } from "../../core/codes.js";
import { changedLines } from "../line-diff.js";
import { adoptFile } from "./adopt.js";
import {
  HASH_PREFIX,
  isHandEdited,
  type ManagedSection,
  newFileText,
  parseManagedFile,
  renderSection,
} from "./managed-section.js";
import { findOrphans, type Orphan } from "./orphans.js";
import type { RenderedTree } from "./render.js";

export interface HandEdit {
  /** 1-based lines of the file that differ from what plumb would write there. */
  readonly lines: readonly number[];
  /** True when the estate did not change since the section was generated: `lines` are then
   * exactly the hand-edited lines; otherwise they also include regenerated ones. */
  readonly exact: boolean;
}

export interface Conflict {
  readonly code: Code;
  readonly message: string;
  readonly hint: string;
  readonly line: number;
  readonly handEdit?: HandEdit;
}

export type FileAction =
  | { readonly kind: "create"; readonly path: string; readonly after: string }
  | {
      readonly kind: "update";
      readonly path: string;
      readonly before: string;
      readonly after: string;
      /** Set when --force overwrote hand edits. */
      readonly forced?: HandEdit;
      /** The section had no plumb hash (written by anklume or by hand): edits not checkable. */
      readonly unverified?: boolean;
      /** The file had no managed section: one was inserted, everything else kept (adopt.ts). */
      readonly adopted?: boolean;
    }
  | { readonly kind: "unchanged"; readonly path: string }
  | {
      readonly kind: "conflict";
      readonly path: string;
      readonly before: string;
      readonly conflict: Conflict;
    };

export type ActionKind = FileAction["kind"];

export interface WritePlan {
  readonly version: 1;
  /** Sorted by path. */
  readonly actions: readonly FileAction[];
  readonly orphans: readonly Orphan[];
}

export interface PlanOptions {
  /** Overwrite managed sections that were edited by hand. */
  readonly force?: boolean;
}

/** `existing`: relative path → content of the `*.yml` files now in the generated folders. */
export function planWrites(
  tree: RenderedTree,
  existing: ReadonlyMap<string, string>,
  options: PlanOptions = {},
): WritePlan {
  const actions: FileAction[] = [];
  for (const [path, body] of tree.files) {
    const section = renderSection(body);
    const before = existing.get(path);
    const fresh = newFileText(section);
    actions.push(
      before === undefined
        ? { kind: "create", path, after: fresh }
        : before === fresh // the common case, settled without parsing
          ? { kind: "unchanged", path }
          : planExisting(path, before, section, body, options),
    );
  }
  return { version: 1, actions, orphans: findOrphans(existing, tree) };
}

function planExisting(
  path: string,
  before: string,
  section: string,
  body: string,
  options: PlanOptions,
): FileAction {
  const parsed = parseManagedFile(before);
  if (!parsed.ok && parsed.problem.code === "PLB601") {
    // No markers at all: a file the repository had before plumb. Adopt it.
    const adopted = adoptFile(before, section, body.trimEnd());
    return adopted.ok
      ? { kind: "update", path, before, after: adopted.after, adopted: true }
      : { kind: "conflict", path, before, conflict: adopted };
  }
  if (!parsed.ok) return { kind: "conflict", path, before, conflict: parsed.problem };
  const current = parsed.section;
  const currentText = before.slice(current.start, current.end);
  if (currentText === section) return { kind: "unchanged", path };
  const after = before.slice(0, current.start) + section + before.slice(current.end);
  const handEdit = isHandEdited(current)
    ? locateHandEdit(currentText, section, current)
    : undefined;
  // No differing line means only the hash line itself was touched: rewriting it loses nothing.
  if (handEdit !== undefined && handEdit.lines.length > 0) {
    if (!options.force) {
      const where = formatLines(handEdit.lines);
      return {
        kind: "conflict",
        path,
        before,
        conflict: {
          code: "PLB604",
          message: `the managed section was edited by hand (${where} ${handEdit.exact ? "changed since plumb wrote it" : `${handEdit.lines.length === 1 ? "differs" : "differ"} from the regenerated section`})`,
          hint: "move your variables below `# === END MANAGED ===` (text there is kept), or run with --force to overwrite the section",
          line: handEdit.lines[0] ?? current.beginLine,
          handEdit,
        },
      };
    }
    return { kind: "update", path, before, after, forced: handEdit };
  }
  return current.recordedHash === undefined
    ? { kind: "update", path, before, after, unverified: true }
    : { kind: "update", path, before, after };
}

/** Which lines of the file differ from the section plumb would write (hash lines aside). */
function locateHandEdit(currentText: string, section: string, current: ManagedSection): HandEdit {
  const oldLines = currentText.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  const newLines = section.split("\n");
  const keep: number[] = [];
  oldLines.forEach((l, i) => {
    if (!l.startsWith(HASH_PREFIX)) keep.push(i);
  });
  const withoutHash = (ls: string[]) => ls.filter((l) => !l.startsWith(HASH_PREFIX)).join("\n");
  const changed = changedLines(withoutHash(oldLines), withoutHash(newLines));
  const newHash = newLines.find((l) => l.startsWith(HASH_PREFIX))?.slice(HASH_PREFIX.length);
  return {
    lines: changed.map((n) => current.beginLine + (keep[n - 1] ?? oldLines.length - 1)),
    exact: newHash === current.recordedHash,
  };
}

/** "line 7", "lines 7-9", "lines 3, 7-9". */
export function formatLines(lines: readonly number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j + 1 < lines.length && (lines[j + 1] as number) === (lines[j] as number) + 1) j++;
    ranges.push(i === j ? `${lines[i]}` : `${lines[i]}-${lines[j]}`);
    i = j + 1;
  }
  return `${lines.length === 1 ? "line" : "lines"} ${ranges.join(", ")}`;
}

export function countActions(plan: WritePlan): Record<ActionKind, number> & { orphaned: number } {
  const counts = { create: 0, update: 0, unchanged: 0, conflict: 0, orphaned: plan.orphans.length };
  for (const a of plan.actions) counts[a.kind]++;
  return counts;
}
