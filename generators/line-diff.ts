// Line diffs for `generate --check` and for pointing at hand-edited lines, on the `diff` package
// (jsdiff: Myers' O(ND) algorithm). This module keeps plumb's own output format: `diff -u` text
// with git's a/ b/ prefixes, `--- /dev/null` for a created file and diff(1)'s ranges. Pure.
import { diffArrays, structuredPatch } from "diff";

export type Edit =
  | { readonly op: "equal"; readonly a: number; readonly b: number }
  | { readonly op: "delete"; readonly a: number }
  | { readonly op: "insert"; readonly b: number };

/** Beyond this many differences the middle is shown as one replacement (bounded time/memory). */
const MAX_EDIT_DISTANCE = 1000;

/** Edit script turning `a` into `b`; indices are 0-based positions in each array. */
export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  const parts = diffArrays([...a], [...b], { maxEditLength: MAX_EDIT_DISTANCE });
  if (parts === undefined) return replaceMiddle(a, b);
  const edits: Edit[] = [];
  let ia = 0;
  let ib = 0;
  for (const part of parts) {
    for (let k = 0; k < part.value.length; k++) {
      if (part.added) edits.push({ op: "insert", b: ib++ });
      else if (part.removed) edits.push({ op: "delete", a: ia++ });
      else edits.push({ op: "equal", a: ia++, b: ib++ });
    }
  }
  return edits;
}

/** Too different for a bounded diff: common head and tail, everything between replaced. */
function replaceMiddle(a: readonly string[], b: readonly string[]): Edit[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const edits: Edit[] = [];
  for (let i = 0; i < start; i++) edits.push({ op: "equal", a: i, b: i });
  for (let i = start; i < endA; i++) edits.push({ op: "delete", a: i });
  for (let i = start; i < endB; i++) edits.push({ op: "insert", b: i });
  for (let i = 0; endA + i < a.length; i++) edits.push({ op: "equal", a: endA + i, b: endB + i });
  return edits;
}

interface Lines {
  readonly lines: string[];
  /** False when the text does not end with a newline (diff(1) then prints a marker). */
  readonly eol: boolean;
}

export function splitLines(text: string): Lines {
  if (text === "") return { lines: [], eol: true };
  const lines = text.split("\n");
  const eol = lines[lines.length - 1] === "";
  if (eol) lines.pop();
  return { lines, eol };
}

export interface UnifiedOptions {
  /** Header paths; `undefined` old text means the file is created (`--- /dev/null`). */
  readonly oldPath: string;
  readonly newPath: string;
  readonly context?: number;
}

/** `diff -u` style text, or "" when the texts are equal. */
export function unifiedDiff(
  oldText: string | undefined,
  newText: string,
  options: UnifiedOptions,
): string {
  if (oldText === newText) return "";
  const patch = structuredPatch(
    options.oldPath,
    options.newPath,
    oldText ?? "",
    newText,
    undefined,
    undefined,
    { context: options.context ?? 3 },
  );
  // git's a/ b/ prefixes for relative paths; an absolute path is shown as it is.
  const side = (prefix: string, p: string) => (p.startsWith("/") ? p : `${prefix}${p}`);
  const out = [
    `--- ${oldText === undefined ? "/dev/null" : side("a/", options.oldPath)}`,
    `+++ ${side("b/", options.newPath)}`,
  ];
  for (const h of patch.hunks) {
    out.push(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`);
    out.push(...h.lines);
  }
  return `${out.join("\n")}\n`;
}

function range(start: number, count: number): string {
  // diff -u: a hunk of zero lines names the line before it; one line has no count.
  if (count === 0) return `${Math.max(0, start - 1)},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}

/**
 * Lines of `oldText` (1-based) that `newText` deletes or replaces; a pure insertion is reported
 * at the line it follows. Used to point at hand edits inside a managed section.
 */
export function changedLines(oldText: string, newText: string): number[] {
  const edits = diffLines(splitLines(oldText).lines, splitLines(newText).lines);
  const out = new Set<number>();
  let lastA = 0;
  for (const e of edits) {
    if (e.op === "equal") lastA = e.a + 1;
    else if (e.op === "delete") {
      out.add(e.a + 1);
      lastA = e.a + 1;
    } else out.add(Math.max(1, lastA));
  }
  return [...out].sort((x, y) => x - y);
}
