// Escaping of repository data (keys, names, values, reasons) for each medium a plan is shown in.
// Terminal: no C0/C1 control bytes, DEL or bidirectional overrides reach the operator's terminal.
// Markdown: no fence breaks, no HTML, no @mentions, no table breaks — data is shown only inside
// code spans and fenced blocks whose backtick runs are longer than any in the data.

/** Control characters (C0, DEL, C1), line/paragraph separators and bidi controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line of plain text safe for a terminal: unsafe characters become visible `\u001b` escapes. */
export function termSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\t") return "\\t";
    if (c === "\r") return "\\r";
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/** A value as JSON, then terminal-safe (JSON.stringify leaves C1 controls and U+2028 raw). */
export function termValue(v: unknown): string {
  return termSafe(JSON.stringify(v) ?? "undefined");
}

function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

/** A fence that no line of `body` can close: longer than any backtick run in it. */
export function fenceFor(body: string): string {
  return "`".repeat(Math.max(3, longestRun(body, "`") + 1));
}

/**
 * Data as an inline code span (no HTML, links or mentions are interpreted inside one), on one
 * line, with table pipes escaped (GFM splits cells on `|` even inside code spans, unless an odd
 * number of backslashes precedes it: data backslashes right before a pipe are doubled, so `\|`
 * in the data cannot turn plumb's escape into a cell break).
 */
export function mdCode(text: string): string {
  const flat = termSafe(text).replace(/(\\*)\|/g, (_, b: string) => `${b}${b}\\|`);
  const ticks = "`".repeat(longestRun(flat, "`") + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** Data as plain markdown text: every punctuation mark that could start syntax is escaped. */
export function mdText(text: string): string {
  return termSafe(text)
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, (c) => `\\${c}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/@/g, "&#64;")
    .replace(/:/g, "&#58;");
}

/** JSON for an HTML comment: `<`, `>` and `&` escaped so `-->` cannot end the comment. */
export function commentJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/--/g, "-\\u002d");
}
