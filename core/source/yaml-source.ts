// One YAML file: decoded, parsed, hazard-checked, with a lazy map from JSON paths to positions.
//
// Parsing uses js-yaml (about 10× faster than a position-keeping parser on a 1 MB estate).
// Positions are needed only for files that have something to report, so the `yaml` library's
// position-keeping parse runs lazily, on the first `locate()` of that file.
import { createRequire } from "node:module";
import jsyaml from "js-yaml";
import type { Node } from "yaml";
import type { Code } from "../codes.js";
import type { Diagnostic, JsonPath, SourcePosition } from "../diagnostics.js";
import { syntaxDiagnostics } from "./yaml-errors.js";

// The position-keeping parser is loaded only when a file has something to report.
const require = createRequire(import.meta.url);
let yamlLib: typeof import("yaml") | undefined;
const yaml = () => (yamlLib ??= require("yaml") as typeof import("yaml"));

/** Per-file cap: a mistaken commit of a huge file must not exhaust memory. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Bound on nodes visited after expanding aliases ("billion laughs"). */
export const MAX_EXPANDED_NODES = 2_000_000;

// YAML 1.2 core schema (no timestamps turning into Date objects) plus `<<` merge keys, which
// anklume's PyYAML accepts.
const jsTypes = (jsyaml as unknown as { types: { merge: jsyaml.Type; int: jsyaml.Type } }).types;
// js-yaml's int also resolves YAML 1.1 forms (`0b101`, signed `-0x1f` / `+0o7`) that YAML 1.2
// core, and the `yaml` parser behind locate(), read as strings: a domain `0b1` became `1`.
const int12 = new jsyaml.Type("tag:yaml.org,2002:int", {
  kind: "scalar",
  resolve: (data: string) => !/^([-+]?0b|[-+]0[xo])/.test(data) && jsTypes.int.resolve(data),
  construct: jsTypes.int.construct,
  predicate: jsTypes.int.predicate ?? undefined,
  represent: jsTypes.int.represent ?? undefined,
  defaultStyle: jsTypes.int.defaultStyle ?? undefined,
});
const SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [int12, jsTypes.merge] });

export interface YamlSource {
  readonly file: string;
  readonly text: string;
  /** The parsed value; `undefined` when the file could not be parsed (see diagnostics). */
  readonly value: unknown;
  /** True when the file holds no document at all (only comments or whitespace). */
  readonly empty: boolean;
  readonly diagnostics: readonly Diagnostic[];
  locate(path: JsonPath, target?: "key" | "value"): SourcePosition;
  lineText(line: number): string | undefined;
}

/** `sizeOnDisk`: set by a reader that refused to load an oversized file. */
export function parseYamlSource(
  content: string | Uint8Array,
  file: string,
  sizeOnDisk?: number,
): YamlSource {
  const bytes = sizeOnDisk ?? (typeof content === "string" ? 0 : content.byteLength);
  if (bytes > MAX_FILE_BYTES) {
    return failed(
      file,
      "",
      "PLB004",
      `file is ${bytes} bytes; the limit is ${MAX_FILE_BYTES}`,
      1,
      1,
    );
  }
  let text: string;
  if (typeof content === "string") {
    text = content;
  } else {
    const bad = firstInvalidUtf8(content);
    if (bad !== -1) {
      const before = new TextDecoder("utf-8").decode(content.subarray(0, bad));
      const lines = before.split("\n");
      const line = lines.length;
      const column = (lines[lines.length - 1]?.length ?? 0) + 1;
      return failed(
        file,
        before,
        "PLB003",
        `invalid UTF-8 byte 0x${content[bad]?.toString(16).padStart(2, "0")} at byte offset ${bad}`,
        line,
        column,
      );
    }
    text = new TextDecoder("utf-8").decode(content);
  }
  if (text.length > MAX_FILE_BYTES) {
    return failed(
      file,
      "",
      "PLB004",
      `file is ${text.length} characters; the limit is ${MAX_FILE_BYTES}`,
      1,
      1,
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  let value: unknown;
  try {
    value = jsyaml.load(text, { schema: SCHEMA, filename: file, json: false });
  } catch (e) {
    return withDiagnostics(file, text, undefined, syntaxDiagnostics(text, file, e));
  }
  if (value === undefined || value === null) {
    // `null` also covers a lone `~` or `null`; the caller decides whether empty is acceptable.
    return withDiagnostics(file, text, null, [], isBlank(text));
  }
  const expanded = countExpanded(value, MAX_EXPANDED_NODES);
  if (expanded > MAX_EXPANDED_NODES) {
    const at = positionOfFirst(text, /\*[^\s,\]}]+/);
    return withDiagnostics(file, text, undefined, [
      {
        code: "PLB008",
        severity: "error",
        message: `aliases expand to more than ${MAX_EXPANDED_NODES.toLocaleString("en-US")} nodes`,
        location: { file, ...at },
      },
    ]);
  }
  return withDiagnostics(file, text, value, []);
}

function failed(
  file: string,
  text: string,
  code: Code,
  message: string,
  line: number,
  column: number,
): YamlSource {
  return withDiagnostics(file, text, undefined, [
    { code, severity: "error", message, location: { file, line, column } },
  ]);
}

function isBlank(text: string): boolean {
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line !== "" && !line.startsWith("#") && line !== "---" && line !== "...") return false;
  }
  return true;
}

function withDiagnostics(
  file: string,
  text: string,
  value: unknown,
  diagnostics: Diagnostic[],
  empty = false,
): YamlSource {
  let lines: string[] | undefined;
  let locator: Locator | undefined;
  return {
    file,
    text,
    value,
    empty,
    diagnostics,
    locate(path, target = "value") {
      locator ??= new Locator(text);
      return { file, ...locator.locate(path, target) };
    },
    lineText(line) {
      lines ??= text.split(/\r?\n/);
      return lines[line - 1];
    },
  };
}

/** Counts nodes as a consumer that follows aliases would see them; stops past `limit`. */
function countExpanded(root: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    count++;
    if (count > limit) return count;
    if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === "object") {
      for (const item of Object.values(v)) stack.push(item);
    }
  }
  return count;
}

function positionOfFirst(text: string, re: RegExp): { line: number; column: number } {
  const m = re.exec(text);
  return m ? offsetToPosition(text, m.index) : { line: 1, column: 1 };
}

export function offsetToPosition(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Byte offset of the first invalid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Maps JSON paths to positions using the `yaml` library's CST-backed document. */
class Locator {
  private readonly lineCounter = new (yaml().LineCounter)();
  private readonly root: Node | null;

  constructor(private readonly text: string) {
    const doc = yaml().parseDocument(text, {
      lineCounter: this.lineCounter,
      merge: true,
      uniqueKeys: false,
    });
    this.root = (doc.contents as Node | null) ?? null;
    this.resolveAlias = (n) =>
      yaml().isAlias(n) ? ((n.resolve(doc) as Node | undefined) ?? n) : n;
  }

  private readonly resolveAlias: (n: Node) => Node;

  locate(
    path: JsonPath,
    target: "key" | "value",
  ): { line: number; column: number; length?: number } {
    const { isMap, isScalar, isSeq } = yaml();
    let node: Node | null = this.root;
    let keyNode: Node | null = null;
    let found = 0;
    for (const seg of path) {
      if (node === null) break;
      node = this.resolveAlias(node);
      let next: Node | null | undefined;
      let nextKey: Node | null = null;
      if (isMap(node)) {
        for (const pair of node.items) {
          const k = pair.key as Node | null;
          if (k !== null && isScalar(k) && String(k.value) === String(seg)) {
            next = (pair.value as Node | null) ?? null;
            nextKey = k;
            break;
          }
        }
        if (nextKey === null) break;
      } else if (isSeq(node) && typeof seg === "number") {
        next = (node.items[seg] as Node | undefined) ?? undefined;
        if (next === undefined) break;
      } else break;
      node = next ?? null;
      keyNode = nextKey;
      found++;
    }
    const complete = found === path.length;
    let pick: Node | null;
    if (!complete) pick = keyNode ?? node;
    else if (target === "key" && keyNode !== null) pick = keyNode;
    else pick = node?.range ? node : keyNode;
    const range = pick?.range;
    if (!range) return { line: 1, column: 1 };
    const start = this.lineCounter.linePos(range[0]);
    let length = Math.max(1, range[1] - range[0]);
    const eol = this.text.indexOf("\n", range[0]);
    if (eol !== -1) length = Math.min(length, Math.max(1, eol - range[0]));
    if (pick !== null && (isMap(pick) || isSeq(pick))) length = 1;
    return { line: start.line, column: start.col, length };
  }
}
