// YAML syntax errors as diagnostics: every error in the file (the `yaml` parser's list), placed
// where the mistake is rather than where the parser gave up, each with a hint for its kind
// (tab, indentation, duplicate key, unclosed quote or bracket, missing colon, …).
import { createRequire } from "node:module";
import type { Code } from "../codes.js";
import type { Diagnostic } from "../diagnostics.js";

const require = createRequire(import.meta.url);
let yamlLib: typeof import("yaml") | undefined;
const yaml = () => (yamlLib ??= require("yaml") as typeof import("yaml"));

/** Turns a js-yaml failure into diagnostics; asks the `yaml` parser for *all* errors in the file. */
export function syntaxDiagnostics(text: string, file: string, e: unknown): Diagnostic[] {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const out: Diagnostic[] = [];
  try {
    const doc = parseDocument(text, {
      lineCounter,
      uniqueKeys: true,
      merge: true,
      prettyErrors: false,
    });
    for (const err of doc.errors) {
      const { offset, hint } = explain(text, err.code, err.message, err.pos[0], doc);
      const pos = lineCounter.linePos(offset);
      out.push({
        code: yamlCode(err.code, err.message),
        severity: "error",
        message: cleanMessage(err.message),
        hint,
        location: { file, line: pos.line, column: pos.col },
      });
    }
  } catch {
    // fall through to js-yaml's own report
  }
  if (out.length > 0) return out;
  const mark = (e as { mark?: { line: number; column: number } }).mark;
  const reason = (e as { reason?: string }).reason ?? (e instanceof Error ? e.message : String(e));
  const code = jsYamlCode(reason);
  return [
    {
      code,
      severity: "error",
      message: cleanMessage(reason),
      hint: code === "PLB007" ? HINTS.duplicate : code === "PLB010" ? HINTS.tab : HINTS.other,
      location: { file, line: (mark?.line ?? 0) + 1, column: (mark?.column ?? 0) + 1 },
    },
  ];
}

const HINTS = {
  tab: "YAML indents with spaces only: replace the tab with spaces (set your editor to insert spaces)",
  duplicate: "a key may appear once per mapping: remove one of them or merge their values",
  other:
    "check the YAML syntax at this position (indentation with spaces, `key: value`, quotes closed)",
} as const;

type ParsedDoc = ReturnType<ReturnType<typeof yaml>["parseDocument"]>;

/**
 * Where a YAML error really is, and what to do about it. The parser reports some errors where it
 * gave up (an unclosed quote at the end of the file, a misindented line at column 1): point at the
 * cause instead.
 */
function explain(
  text: string,
  code: string,
  message: string,
  offset: number,
  doc: ParsedDoc,
): { offset: number; hint: string } {
  if (code === "TAB_AS_INDENT" || /\btab/i.test(message)) return { offset, hint: HINTS.tab };
  if (code === "DUPLICATE_KEY") {
    const first = firstKeyBefore(doc, offset);
    return {
      offset,
      hint:
        first === undefined
          ? HINTS.duplicate
          : `the same key is already set at line ${lineAt(text, first)}; ${HINTS.duplicate}`,
    };
  }
  if (code === "MISSING_CHAR" && /quote/i.test(message)) {
    const quote = message.includes("'") ? "'" : '"';
    const open = openingQuote(text, quote, offset);
    return {
      offset: open ?? offset,
      hint: `this ${quote === '"' ? "double" : "single"}-quoted string is never closed: add the closing ${quote} on the same line, or remove the opening one`,
    };
  }
  if (code === "BAD_INDENT" && /flow (map|sequence)/i.test(message)) {
    const close = /map/i.test(message) ? "}" : "]";
    return {
      offset,
      hint: `a ${close === "}" ? "{ … }" : "[ … ]"} started above is not closed: add '${close}' at the end of it, or write it as an indented block`,
    };
  }
  if (code === "BAD_INDENT" || code === "BAD_DEDENT") {
    const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
    const indent = /^ */.exec(text.slice(lineStart))?.[0].length ?? 0;
    const above = indentsAbove(text, lineStart, indent);
    return {
      offset: lineStart + indent,
      hint: `this line is indented by ${indent} space${indent === 1 ? "" : "s"}${above.length > 0 ? `, the lines above by ${above.join(" or ")}` : ""}: keys of one mapping start in the same column`,
    };
  }
  if (code === "MULTILINE_IMPLICIT_KEY")
    return {
      offset,
      hint: "a key needs a colon and a space after it (`key: value`); a value that continues on the next line must be indented or quoted",
    };
  if (code === "BLOCK_AS_IMPLICIT_KEY")
    return { offset, hint: "a plain value cannot contain ': ': quote the whole value (\"a: b\")" };
  if (code === "BAD_SCALAR_START")
    return {
      offset,
      hint: "a value starting with @, ` or another reserved character must be quoted",
    };
  return { offset, hint: HINTS.other };
}

/** Offset of the key a DUPLICATE_KEY error's key repeats, in the same mapping. */
function firstKeyBefore(doc: ParsedDoc, offset: number): number | undefined {
  const { isMap, isScalar, visit } = yaml();
  let first: number | undefined;
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const dup = map.items.find((p) => isScalar(p.key) && p.key.range?.[0] === offset);
      if (dup === undefined || !isScalar(dup.key)) return;
      const name = String(dup.key.value);
      const earlier = map.items.find((p) => isScalar(p.key) && String(p.key.value) === name);
      first = isScalar(earlier?.key) ? earlier.key.range?.[0] : undefined;
      return visit.BREAK;
    },
  });
  return first;
}

/** The quote that opened the string running to `end`: the last unescaped one before it. */
function openingQuote(text: string, quote: string, end: number): number | undefined {
  for (let i = Math.min(end, text.length) - 1; i >= 0; i--) {
    if (text[i] !== quote) continue;
    if (quote === '"' && text[i - 1] === "\\") continue;
    if (quote === "'" && (text[i - 1] === "'" || text[i + 1] === "'")) {
      i--;
      continue;
    }
    return i;
  }
  return undefined;
}

/** Indentations of the nearest lines above (the previous line's, then its parent's). */
function indentsAbove(text: string, lineStart: number, indent: number): number[] {
  const out: number[] = [];
  let end = lineStart - 1;
  while (end > 0 && out.length < 2) {
    const start = text.lastIndexOf("\n", end - 1) + 1;
    const line = text.slice(start, end);
    end = start - 1;
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    const n = /^ */.exec(line)?.[0].length ?? 0;
    if (out.length === 0) {
      if (n !== indent) out.push(n);
    } else if (n < (out[0] as number) && n !== indent) out.push(n);
    if (out.length === 1 && n < indent) break;
  }
  return out;
}

function yamlCode(code: string, message: string): Code {
  if (code === "DUPLICATE_KEY") return "PLB007";
  if (code === "TAB_AS_INDENT" || /\btab/i.test(message)) return "PLB010";
  return "PLB006";
}

function jsYamlCode(reason: string): Code {
  if (/duplicat/i.test(reason)) return "PLB007";
  if (/\btab/i.test(reason)) return "PLB010";
  return "PLB006";
}

function cleanMessage(message: string): string {
  const first = message.split("\n")[0] ?? message;
  return first
    .replace(/ at line \d+, column \d+:?$/, "")
    .replace(/\s*\(\d+:\d+\)$/, "")
    .trim();
}

function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
