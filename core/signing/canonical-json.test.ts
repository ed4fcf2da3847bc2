import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalize, canonicalJsonBytes, parseCanonicalJson } from "./canonical-json.js";
import { CanonicalJsonError } from "./errors.js";

const bytes = (s: string) => new TextEncoder().encode(s);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CanonicalJsonError);
    return (e as CanonicalJsonError).code;
  }
  throw new Error("expected a CanonicalJsonError");
}

describe("canonical JSON (RFC 8785)", () => {
  it("canonicalizes the RFC 8785 §3.2.4 example", () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        '"literals": [null, true, false]}',
    );
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("sorts keys by UTF-16 code units (RFC 8785 §3.2.3 example)", () => {
    const input = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    const keys = Object.keys(JSON.parse(canonicalize(input)));
    // insertion order of integer-like keys is not source order in JS; compare the text instead
    expect(canonicalize(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    expect(keys).toHaveLength(7);
  });

  it.each([
    ["0000000000000000", "0"],
    ["8000000000000000", "0"],
    ["0000000000000001", "5e-324"],
    ["8000000000000001", "-5e-324"],
    ["7fefffffffffffff", "1.7976931348623157e+308"],
    ["ffefffffffffffff", "-1.7976931348623157e+308"],
    ["4340000000000000", "9007199254740992"],
    ["c340000000000000", "-9007199254740992"],
    ["4430000000000000", "295147905179352830000"],
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"],
  ])("formats the IEEE-754 value %s as %s (RFC 8785 appendix B)", (hex, text) => {
    const n = Buffer.from(hex, "hex").readDoubleBE(0);
    expect(canonicalize(n)).toBe(text);
  });

  class Thing {
    a = 1;
  }
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  it.each([
    ["NaN", { a: Number.NaN }, "/a"],
    ["Infinity", [Number.POSITIVE_INFINITY], "/0"],
    ["undefined", { a: undefined }, "/a"],
    ["a function", { f: () => 1 }, "/f"],
    ["a bigint", { n: 1n }, "/n"],
    ["a symbol", [Symbol("s")], "/0"],
    ["a Date", { d: new Date(0) }, "/d"],
    ["a Map", new Map(), ""],
    ["a class instance", { t: new Thing() }, "/t"],
    ["a lone surrogate string", { s: "\ud800" }, "/s"],
    ["a lone surrogate key", { "\udc00": 1 }, "/\udc00"],
    ["a reversed surrogate pair", ["\ude00\ud83d"], "/0"],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    ["an array hole", [1, , 3], "/1"],
    ["a cycle", cyclic, "/self"],
  ])("refuses %s with PLB840 and its path", (_name, value, path) => {
    let err: unknown;
    try {
      canonicalize(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CanonicalJsonError);
    expect((err as CanonicalJsonError).code).toBe("PLB840");
    expect((err as CanonicalJsonError).path).toBe(path);
  });

  it("refuses absurd nesting instead of overflowing the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(codeOf(() => canonicalize(deep))).toBe("PLB840");
  });

  it("accepts exactly canonical bytes", () => {
    const text = '{"a":[1,"x",null],"b":{"c":true}}';
    expect(parseCanonicalJson(bytes(text))).toEqual({ a: [1, "x", null], b: { c: true } });
  });

  it.each([
    ["whitespace", '{"a": 1}'],
    ["unsorted keys", '{"b":1,"a":2}'],
    ["a duplicate key", '{"a":1,"a":1}'],
    ["a non-canonical number", '{"a":1.0}'],
    ["an exponent form", '{"a":1E2}'],
    ["an unneeded escape", '{"a":"\\u0041"}'],
    ["an escaped slash", '{"a":"\\/"}'],
    ["a lone surrogate escape", '{"a":"\\ud800"}'],
    ["a byte order mark", '\ufeff{"a":1}'],
    ["a trailing newline", '{"a":1}\n'],
    ["not JSON", "{a:1}"],
  ])("refuses %s with PLB841", (_name, text) => {
    expect(codeOf(() => parseCanonicalJson(bytes(text)))).toBe("PLB841");
  });

  it("refuses invalid UTF-8 with PLB841", () => {
    expect(codeOf(() => parseCanonicalJson(Uint8Array.of(0x22, 0xc3, 0x28, 0x22)))).toBe("PLB841");
  });
});

/** The same value with every object's keys inserted in a shuffled order. */
function shuffled(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => shuffled(v, seed + i));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  entries.sort((a, b) => hash(a[0], seed) - hash(b[0], seed) || (a[0] < b[0] ? -1 : 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    Object.defineProperty(out, k, {
      value: shuffled(v, seed + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function hash(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x9e3779b1);
  return h;
}

describe("canonical JSON properties", () => {
  const json = fc.jsonValue({ maxDepth: 6 });

  it("is idempotent: parse → canonicalize → parse gives equal values and the same bytes", () => {
    fc.assert(
      fc.property(json, (v) => {
        const c = canonicalize(v);
        const back = parseCanonicalJson(bytes(c));
        // RFC 8785 writes -0 as 0, so equality is JSON equality (a JSON round trip does the same).
        expect(back).toEqual(JSON.parse(JSON.stringify(v)));
        expect(canonicalize(back)).toBe(c);
        expect(canonicalize(JSON.parse(JSON.stringify(v, null, 2)))).toBe(c);
      }),
      { numRuns: 500 },
    );
  });

  it("does not depend on key insertion order", () => {
    fc.assert(
      fc.property(json, fc.integer(), (v, seed) => {
        expect(canonicalize(shuffled(v, seed))).toBe(canonicalize(v));
      }),
      { numRuns: 500 },
    );
  });

  it("canonicalJsonBytes is the UTF-8 of the canonical text", () => {
    fc.assert(
      fc.property(json, (v) => {
        expect(Buffer.from(canonicalJsonBytes(v)).toString("utf8")).toBe(canonicalize(v));
      }),
      { numRuns: 200 },
    );
  });

  it("parseCanonicalJson only ever throws CanonicalJsonError on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.json().map(bytes)), (b) => {
        try {
          parseCanonicalJson(b);
        } catch (e) {
          expect(e).toBeInstanceOf(CanonicalJsonError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
