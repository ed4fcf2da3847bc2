// A small line diff (Myers' O(ND) algorithm) and its unified rendering, for `generate --check`
// and for pointing at hand-edited lines. Pure; no dependency.

export type Edit =
  | { readonly op: "equal"; readonly a: number; readonly b: number }
  | { readonly op: "delete"; readonly a: number }
  | { readonly op: "insert"; readonly b: number };

/** Beyond this many differences the middle is shown as one replacement (bounded memory). */
const MAX_EDIT_DISTANCE = 1000;

/** Edit script turning `a` into `b`; indices are 0-based positions in each array. */
export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
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
  edits.push(...middle(a, b, start, endA, start, endB));
  for (let i = 0; endA + i < a.length; i++) edits.push({ op: "equal", a: endA + i, b: endB + i });
  return edits;
}

function middle(
  a: readonly string[],
  b: readonly string[],
  a0: number,
  a1: number,
  b0: number,
  b1: number,
): Edit[] {
  const n = a1 - a0;
  const m = b1 - b0;
  const replaceAll = (): Edit[] => [
    ...Array.from({ length: n }, (_, i): Edit => ({ op: "delete", a: a0 + i })),
    ...Array.from({ length: m }, (_, i): Edit => ({ op: "insert", b: b0 + i })),
  ];
  if (n === 0 || m === 0) return replaceAll();
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))
          ? (v[offset + k + 1] as number)
          : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return replaceAll();
  // Walk the trace backwards from (n, m) to (0, 0).
  const out: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d] as Int32Array;
    const k = x - y;
    const down =
      k === -d || (k !== d && (prev[offset + k - 1] as number) < (prev[offset + k + 1] as number));
    const pk = down ? k + 1 : k - 1;
    const px = prev[offset + pk] as number;
    const py = px - pk;
    while (x > px + (down ? 0 : 1) && y > py + (down ? 1 : 0)) {
      x--;
      y--;
      out.push({ op: "equal", a: a0 + x, b: b0 + y });
    }
    if (down) {
      y--;
      out.push({ op: "insert", b: b0 + y });
    } else {
      x--;
      out.push({ op: "delete", a: a0 + x });
    }
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    out.push({ op: "equal", a: a0 + x, b: b0 + y });
  }
  return out.reverse();
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
  const context = options.context ?? 3;
  const a = splitLines(oldText ?? "");
  const b = splitLines(newText);
  // A missing final newline makes the last line differ, as in diff(1).
  const la = a.eol ? a.lines : [...a.lines.slice(0, -1), `${a.lines.at(-1)}\0`];
  const lb = b.eol ? b.lines : [...b.lines.slice(0, -1), `${b.lines.at(-1)}\0`];
  const edits = diffLines(la, lb);
  // git's a/ b/ prefixes for relative paths; an absolute path is shown as it is.
  const side = (prefix: string, p: string) => (p.startsWith("/") ? p : `${prefix}${p}`);
  const out = [
    `--- ${oldText === undefined ? "/dev/null" : side("a/", options.oldPath)}`,
    `+++ ${side("b/", options.newPath)}`,
  ];
  const changed = edits.map((e, i) => (e.op === "equal" ? -1 : i)).filter((i) => i >= 0);
  let i = 0;
  while (i < changed.length) {
    // Group changes whose context windows touch into one hunk.
    const first = changed[i] as number;
    let last = first;
    while (i + 1 < changed.length && (changed[i + 1] as number) - last <= 2 * context) {
      i++;
      last = changed[i] as number;
    }
    i++;
    const from = Math.max(0, first - context);
    const to = Math.min(edits.length - 1, last + context);
    const slice = edits.slice(from, to + 1);
    const aStart = startOf(edits, from, "a");
    const bStart = startOf(edits, from, "b");
    const aCount = slice.filter((e) => e.op !== "insert").length;
    const bCount = slice.filter((e) => e.op !== "delete").length;
    out.push(`@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@`);
    for (const e of slice) {
      if (e.op === "equal") out.push(...render(" ", la[e.a] as string));
      else if (e.op === "delete") out.push(...render("-", la[e.a] as string));
      else out.push(...render("+", lb[e.b] as string));
    }
  }
  return `${out.join("\n")}\n`;
}

function render(sign: string, line: string): string[] {
  return line.endsWith("\0")
    ? [`${sign}${line.slice(0, -1)}`, "\\ No newline at end of file"]
    : [`${sign}${line}`];
}

/** 0-based index in side `side` of the first line at or after edit `index`. */
function startOf(edits: readonly Edit[], index: number, side: "a" | "b"): number {
  let count = 0;
  for (let i = 0; i < index; i++) {
    const e = edits[i] as Edit;
    if (side === "a" ? e.op !== "insert" : e.op !== "delete") count++;
  }
  return count;
}

function range(start: number, count: number): string {
  // diff -u: a hunk of zero lines names the line before it.
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
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
