// Splits a long Markdown body into ordered parts that each fit a GitHub comment (65,536
// characters), never inside a code fence or a <details> block without closing it first: a part
// that ends inside one closes it, and the next part reopens it (same fence, same summary).
export const GITHUB_COMMENT_LIMIT = 65_536;

interface OpenBlock {
  readonly open: string;
  readonly close: string;
}

/** A fence line opens or closes a fence of at least its own length (CommonMark). */
const FENCE = /^(`{3,}|~{3,})(.*)$/;

export function splitMarkdown(
  body: string,
  header: (part: number) => string,
  limit = GITHUB_COMMENT_LIMIT,
): string[] {
  const parts: string[] = [];
  const stack: OpenBlock[] = [];
  let cur: string[] = [];
  let size = 0;
  const closing = () => stack.reduceRight((n, b) => n + b.close.length + 1, 0);
  const begin = () => {
    cur = [header(parts.length + 1)];
    for (const b of stack) cur.push(b.open);
    size = cur.reduce((n, l) => n + l.length + 1, 0);
  };
  const flush = () => {
    const closers = [...stack].reverse().map((b) => b.close);
    parts.push([...cur, ...closers].join("\n"));
    begin();
  };
  begin();
  const budget = (extra: number) => size + extra + closing() <= limit - 16;
  for (const raw of body.split("\n")) {
    // A line too long for any part is cut (only a pathological value does this).
    const room =
      limit -
      64 -
      header(0).length -
      stack.reduce((n, b) => n + b.open.length + b.close.length + 2, 0);
    const pieces =
      raw.length > room ? (raw.match(new RegExp(`[^]{1,${room}}`, "g")) ?? [raw]) : [raw];
    for (const line of pieces) {
      if (!budget(line.length + 1) && cur.length > 1 + stack.length) flush();
      cur.push(line);
      size += line.length + 1;
      track(line, stack);
    }
  }
  if (cur.length > 1 + stack.length || parts.length === 0)
    parts.push([...cur, ...[...stack].reverse().map((b) => b.close)].join("\n"));
  return parts;
}

function track(line: string, stack: OpenBlock[]): void {
  const top = stack[stack.length - 1];
  const fenceOpen = top !== undefined && top.close.length >= 3 && /^[`~]{3,}$/.test(top.close);
  const m = FENCE.exec(line.trimEnd());
  if (fenceOpen) {
    // Inside a fence only its closing fence counts: same character, at least as long, no info.
    if (
      m &&
      m[2]?.trim() === "" &&
      m[1]?.[0] === top.close[0] &&
      (m[1]?.length ?? 0) >= top.close.length
    )
      stack.pop();
    return;
  }
  if (m) {
    stack.push({ open: line, close: m[1] as string });
    return;
  }
  if (/^<details[\s>]/.test(line)) {
    const open = line.replace(/<\/summary>/, " (continued)</summary>");
    stack.push({ open, close: "</details>" });
    return;
  }
  if (line.startsWith("<summary") && stack[stack.length - 1]?.close === "</details>") {
    const d = stack.pop() as OpenBlock;
    const cont = line.replace(/<\/summary>\s*$/, " (continued)</summary>");
    stack.push({ open: `${d.open}\n${cont}\n`, close: d.close });
    return;
  }
  if (line.trim() === "</details>" && stack[stack.length - 1]?.close === "</details>") stack.pop();
}
