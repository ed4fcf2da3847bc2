import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { changedLines, diffLines, type Edit, splitLines, unifiedDiff } from "./line-diff.js";

/** Applies a unified diff to `old` (test oracle: the diff must rebuild the new text). */
function applyUnified(old: string, diff: string): string {
  const { lines: src, eol: oldEol } = splitLines(old);
  const out: string[] = [];
  let at = 0;
  // Whether the text built so far ends with a newline: lines copied from the old text carry
  // the old file's final newline status, lines from the diff carry their own marker.
  let eol = true;
  const lines = diff.split("\n");
  for (let i = 2; i < lines.length; i++) {
    const l = lines[i] as string;
    const h = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(l);
    if (h) {
      const start = Number(h[1]) - (h[2] === "0" ? 0 : 1);
      while (at < start) out.push(src[at++] as string);
      continue;
    }
    if (l.startsWith(" ")) {
      out.push(l.slice(1));
      at++;
      eol = true;
    } else if (l.startsWith("-")) at++;
    else if (l.startsWith("+")) {
      out.push(l.slice(1));
      eol = true;
    } else if (l === "\\ No newline at end of file") {
      if (lines[i - 1]?.startsWith("+") || lines[i - 1]?.startsWith(" ")) eol = false;
    }
  }
  if (at < src.length) {
    while (at < src.length) out.push(src[at++] as string);
    eol = oldEol;
  }
  return out.length === 0 ? "" : `${out.join("\n")}${eol ? "\n" : ""}`;
}

function lcs(a: readonly string[], b: readonly string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      (dp[i] as number[])[j] =
        a[i - 1] === b[j - 1]
          ? ((dp[i - 1] as number[])[j - 1] as number) + 1
          : Math.max((dp[i - 1] as number[])[j] as number, (dp[i] as number[])[j - 1] as number);
  return (dp[a.length] as number[])[b.length] as number;
}

const lineArrays = fc.array(fc.constantFrom("a", "b", "c", "d", ""), { maxLength: 12 });

describe("diffLines", () => {
  it("rebuilds b from a and is minimal (as many equal lines as the LCS)", () => {
    fc.assert(
      fc.property(lineArrays, lineArrays, (a, b) => {
        const edits = diffLines(a, b);
        const rebuilt = edits.flatMap((e: Edit) =>
          e.op === "delete" ? [] : [e.op === "equal" ? a[e.a] : b[e.b]],
        );
        expect(rebuilt).toEqual(b);
        expect(edits.filter((e) => e.op !== "insert").map((e) => (e as { a: number }).a)).toEqual(
          a.map((_, i) => i),
        );
        expect(edits.filter((e) => e.op === "equal").length).toBe(lcs(a, b));
      }),
      { numRuns: 500 },
    );
  });
});

describe("unifiedDiff", () => {
  it("keeps an untouched last line without newline out of the hunk, as diff -u does", () => {
    const diff = unifiedDiff("a\nd\na\na", "\na\nd\na\na", { oldPath: "f", newPath: "f" });
    expect(diff).toBe("--- a/f\n+++ b/f\n@@ -1,3 +1,4 @@\n+\n a\n d\n a\n");
    expect(applyUnified("a\nd\na\na", diff)).toBe("\na\nd\na\na");
  });

  it("is empty for equal texts and applies back to the new text otherwise", () => {
    const text = lineArrays.map((ls) => ls.join("\n"));
    fc.assert(
      fc.property(text, text, fc.boolean(), fc.boolean(), (a, b, ea, eb) => {
        const oldText = a + (ea ? "\n" : "");
        const newText = b + (eb ? "\n" : "");
        const diff = unifiedDiff(oldText, newText, { oldPath: "f", newPath: "f" });
        if (oldText === newText) expect(diff).toBe("");
        else expect(applyUnified(oldText, diff)).toBe(newText);
      }),
      { numRuns: 500 },
    );
  });

  it("renders git-style headers and hunks with three lines of context", () => {
    const old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    const diff = unifiedDiff(old, old.replace("5", "five"), { oldPath: "x.yml", newPath: "x.yml" });
    expect(diff).toBe(
      "--- a/x.yml\n+++ b/x.yml\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
    );
  });

  it("shows a created file against /dev/null", () => {
    const diff = unifiedDiff(undefined, "a\nb\n", { oldPath: "n.yml", newPath: "n.yml" });
    expect(diff).toBe("--- /dev/null\n+++ b/n.yml\n@@ -0,0 +1,2 @@\n+a\n+b\n");
  });
});

describe("changedLines", () => {
  it("points at replaced lines and at the line an insertion follows", () => {
    expect(changedLines("a\nb\nc\n", "a\nB\nc\n")).toEqual([2]);
    expect(changedLines("a\nb\nc\n", "a\nb\nx\nc\n")).toEqual([2]);
    expect(changedLines("a\nb\nc\n", "a\nc\n")).toEqual([2]);
  });
});
