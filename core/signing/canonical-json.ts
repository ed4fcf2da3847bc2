// Canonical JSON (RFC 8785, JCS): the byte form of every signed manifest, so several approvers
// who rebuild the same manifest from git sign identical bytes. Input is plain JSON data only;
// anything JSON.stringify would silently drop or mangle is refused instead.
import { CanonicalJsonError } from "./errors.js";

/** Deeper documents are refused rather than risking a stack overflow on hostile input. */
const MAX_DEPTH = 512;

/** False when the string holds a lone UTF-16 surrogate (not encodable as UTF-8). */
export function isWellFormedText(text: string): boolean {
  // In /u mode a valid pair is one astral code point, so only lone halves match \p{Cs}.
  return !/\p{Cs}/u.test(text);
}

/** The RFC 8785 canonical text of `value`. */
export function canonicalize(value: unknown): string {
  const parts: string[] = [];
  write(value, "", 0, new Set(), parts);
  return parts.join("");
}

/** The canonical text as UTF-8 bytes, what gets hashed and signed. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalize(value));
}

function write(value: unknown, path: string, depth: number, open: Set<object>, out: string[]) {
  const bad = (message: string) => new CanonicalJsonError("PLB840", path, message);
  switch (typeof value) {
    case "string":
      if (!isWellFormedText(value)) throw bad("string holds a lone UTF-16 surrogate");
      out.push(JSON.stringify(value));
      return;
    case "number":
      if (!Number.isFinite(value)) throw bad(`${value} is not a JSON number`);
      // ECMAScript Number::toString is exactly JCS's number form; -0 prints as 0.
      out.push(JSON.stringify(value));
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "object":
      break;
    default:
      throw bad(`${typeof value} is not JSON data`);
  }
  if (value === null) {
    out.push("null");
    return;
  }
  if (depth >= MAX_DEPTH) throw bad(`nested deeper than ${MAX_DEPTH} levels`);
  if (open.has(value)) throw bad("cycle");
  open.add(value);
  if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw new CanonicalJsonError("PLB840", `${path}/${i}`, "array hole");
      if (i > 0) out.push(",");
      write(value[i], `${path}/${i}`, depth + 1, open, out);
    }
    out.push("]");
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw bad(`${proto?.constructor?.name ?? "object"} is not a plain object`);
    }
    if (Object.getOwnPropertySymbols(value).length > 0) throw bad("symbol keys");
    // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 asks for.
    const keys = Object.keys(value).sort();
    out.push("{");
    keys.forEach((key, i) => {
      const childPath = `${path}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      if (!isWellFormedText(key)) {
        throw new CanonicalJsonError("PLB840", childPath, "key holds a lone UTF-16 surrogate");
      }
      if (i > 0) out.push(",");
      out.push(JSON.stringify(key), ":");
      write((value as Record<string, unknown>)[key], childPath, depth + 1, open, out);
    });
    out.push("}");
  }
  open.delete(value);
}

/**
 * Parses bytes that must already be canonical: valid UTF-8 JSON whose canonical form is the
 * very same bytes. Duplicate keys, whitespace, escapes like `\u0041` and numbers like `1.0`
 * are refused, so a verified manifest has exactly one reading.
 */
export function parseCanonicalJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CanonicalJsonError("PLB841", "", "not valid UTF-8");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CanonicalJsonError("PLB841", "", `not JSON: ${(e as Error).message}`);
  }
  let canonical: string;
  try {
    canonical = canonicalize(value);
  } catch (e) {
    if (e instanceof CanonicalJsonError) {
      throw new CanonicalJsonError("PLB841", e.path, e.message);
    }
    throw e;
  }
  if (canonical !== text) {
    throw new CanonicalJsonError(
      "PLB841",
      "",
      `differs from its canonical form at ${firstDiff(text, canonical)}`,
    );
  }
  return value;
}

function firstDiff(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `character ${i}`;
}
