// A small deterministic block-style YAML emitter, shaped like anklume's PyYAML dumper
// (insertion order, lists indented under their key, None as an empty value (`~` as a list
// entry), `[]` / `{}` for empty collections, Unicode written as-is). Correctness first: a string
// is quoted whenever a YAML 1.1 reader (Ansible's PyYAML) or a YAML 1.2 reader could take it for
// anything but that string. Unlike PyYAML, quoted strings use double quotes and long strings are
// not folded at 80 columns (see docs/generator.md).

export type YamlValue =
  | null
  | undefined
  | string
  | number
  | boolean
  | readonly YamlValue[]
  | { readonly [key: string]: YamlValue };

/** Emits `value` as a YAML document body (no `---`), ending with a newline. */
export function emitYaml(value: YamlValue): string {
  const out: string[] = [];
  if (isMapping(value) && Object.keys(value).length > 0) emitMapping(value, 0, out, "");
  else if (Array.isArray(value) && value.length > 0) emitSequence(value, 0, out, "");
  else out.push(scalar(value));
  return `${out.join("\n")}\n`;
}

function isMapping(v: YamlValue): v is { readonly [key: string]: YamlValue } {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Scalar or empty collection: written on the same line as its key or dash. */
function isInline(v: YamlValue): boolean {
  if (Array.isArray(v)) return v.length === 0;
  if (isMapping(v)) {
    for (const _ in v) return false;
    return true;
  }
  return true;
}

// `first` is what precedes the first line (a dash prefix for a mapping inside a sequence).
function emitMapping(
  map: { readonly [key: string]: YamlValue },
  indent: number,
  out: string[],
  first: string,
): void {
  const pad = padding(indent);
  let lead = first;
  for (const key of Object.keys(map)) {
    const v = map[key];
    const head = `${lead === "" ? pad : lead}${quoteString(key)}:`;
    lead = "";
    if (isInline(v)) {
      const s = scalar(v);
      out.push(s === "" ? head : `${head} ${s}`);
    } else {
      out.push(head);
      if (Array.isArray(v)) emitSequence(v, indent + 2, out, "");
      else emitMapping(v as { readonly [key: string]: YamlValue }, indent + 2, out, "");
    }
  }
}

function emitSequence(
  seq: readonly YamlValue[],
  indent: number,
  out: string[],
  first: string,
): void {
  const pad = padding(indent);
  let lead = first;
  for (const item of seq) {
    const dash = `${lead === "" ? pad : lead}- `;
    lead = "";
    if (isInline(item)) {
      // A bare `-` entry is misread by some parsers (js-yaml) next to nested entries: write `~`.
      out.push(`${dash}${item === null || item === undefined ? "~" : scalar(item)}`);
    } else if (Array.isArray(item)) emitSequence(item, indent + 2, out, dash);
    else emitMapping(item as { readonly [key: string]: YamlValue }, indent + 2, out, dash);
  }
}

const PADS: string[] = [];
function padding(n: number): string {
  PADS[n] ??= " ".repeat(n);
  return PADS[n];
}

function scalar(v: YamlValue): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string") return quoteString(v);
  return Array.isArray(v) ? "[]" : "{}";
}

/** Numbers as both YAML 1.1 and 1.2 read them back: a float keeps a dot before its exponent. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (n === Number.POSITIVE_INFINITY) return ".inf";
  if (n === Number.NEGATIVE_INFINITY) return "-.inf";
  const s = String(n);
  const e = s.indexOf("e");
  if (e < 0 || s.includes(".")) return s;
  return `${s.slice(0, e)}.0${s.slice(e)}`;
}

// Plain strings that some YAML reader resolves to another type: YAML 1.1 as PyYAML (Ansible)
// implements it, plus the spec's y/n booleans, plus the YAML 1.2 core schema.
const IMPLICIT = [
  // YAML 1.1: null, bool, int, float, timestamp, merge and value keys
  /^(?:~|null|Null|NULL)$/,
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^[-+]?(?:0b[0-1_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  // (digits, dot and exponent each optional: some YAML 1.1 readers take `.`, `1.` or `e0` for
  // a float)
  /^(?:[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$/,
  /^(?:<<|=)$/,
  // YAML 1.2 core: int and float (null and bool are covered above)
  /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/,
];

const MAYBE_IMPLICIT = /^[-+.0-9~<=nNyYtTfFoOeE]/;

/**
 * C0/C1 controls, DEL, BOM, line/paragraph separators and lone surrogates cannot appear raw in a
 * portable YAML file: such strings are double-quoted with escapes.
 */
function needsEscape(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff)
      return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/**
 * Plain when unambiguous, else double-quoted. PyYAML would use single quotes where it can; double
 * quotes are what formatters (Biome, Prettier) rewrite YAML to, so a formatter run over the
 * repository leaves generated sections, and their hashes, intact.
 */
export function quoteString(s: string): string {
  let q = quoted.get(s);
  if (q === undefined) {
    q = !needsEscape(s) && plainAllowed(s) ? s : doubleQuoted(s);
    if (quoted.size < QUOTE_CACHE_SIZE) quoted.set(s, q);
  }
  return q;
}

// Keys and most values repeat across thousands of files (`instance_name`, `lxc`, an image):
// deciding each once keeps rendering a large estate cheap.
const QUOTE_CACHE_SIZE = 100_000;
const quoted = new Map<string, string>();

// Names, paths and IPs are most values: settle them with one test. No implicit type has two
// dots, and a name of letters, digits, `_./-` only needs the implicit-type check.
const DOTTED = /^[0-9]+\.[0-9]+\.[0-9.]+$/;
const SIMPLE_NAME = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;

function plainAllowed(s: string): boolean {
  if (DOTTED.test(s)) return true;
  if (SIMPLE_NAME.test(s)) return !looksImplicit(s);
  if (s === "") return false;
  const c = s[0] as string;
  // Indicators that cannot start a plain scalar; `-` can when a non-space follows it.
  if ("#,[]{}&*!|>'\"%@`".includes(c)) return false;
  if (c === "-" && (s.length === 1 || s[1] === " ")) return false;
  if (c === "?" || c === ":") return false;
  if (c === " " || s.endsWith(" ")) return false;
  if (s.startsWith("---") || s.startsWith("...")) return false;
  if (s.endsWith(":") || s.includes(": ") || s.includes(" #")) return false;
  return !looksImplicit(s);
}

function looksImplicit(s: string): boolean {
  // Every implicit type starts with one of these characters; most names and descriptions do not.
  if (MAYBE_IMPLICIT.test(s)) for (const re of IMPLICIT) if (re.test(s)) return true;
  return false;
}

const ESCAPES: Readonly<Record<string, string>> = {
  "\0": "\\0",
  "\x07": "\\a",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\v": "\\v",
  "\f": "\\f",
  "\r": "\\r",
  "\x1b": "\\e",
  '"': '\\"',
  "\\": "\\\\",
  "\x85": "\\N",
  "\xa0": "\\_",
  "\u2028": "\\L",
  "\u2029": "\\P",
};

function doubleQuoted(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const code = s.charCodeAt(i);
    const named = ESCAPES[ch];
    if (named !== undefined) out += named;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += ch + (s[i + 1] as string);
        i++;
      } else out += `\\u${hex(code, 4)}`;
    } else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${hex(code, 2)}`;
    else if (code === 0xfeff || (code >= 0xd800 && code <= 0xdfff)) out += `\\u${hex(code, 4)}`;
    else out += ch;
  }
  return `${out}"`;
}

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, "0");
