import fc from "fast-check";
import jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { emitYaml, formatNumber, quoteString, type YamlValue } from "./yaml-emit.js";

// Every reader the output meets: Ansible (PyYAML, YAML 1.1), and YAML 1.2 tools.
const readers: [string, (text: string) => unknown][] = [
  ["yaml 1.1", (t) => parse(t, { version: "1.1" })],
  ["yaml 1.2", (t) => parse(t, { version: "1.2" })],
  ["js-yaml", (t) => jsyaml.load(t)],
];

describe("quoteString", () => {
  it("leaves ordinary strings plain, as PyYAML does", () => {
    for (const s of ["acme-lab", "10.1.2.3", "512MiB", "0 2 * * *", "images:debian/13", "é — ok"])
      expect(quoteString(s)).toBe(s);
  });

  it("quotes every string a YAML 1.1 or 1.2 reader would take for another type", () => {
    const others = ["true", "yes", "No", "on", "y", "~", "null", "", "1.0", "0777", "0o17", "0x1F"];
    const more = ["1_000", "12:30", "2001-12-14", ".5", "1e3", "08", "+1", ".inf", ".NaN", "<<"];
    for (const s of [...others, ...more]) {
      const q = quoteString(s);
      expect(q, s).not.toBe(s);
      for (const [name, read] of readers)
        expect(read(`v: ${q}`), `${name}: ${s}`).toEqual({ v: s });
    }
  });

  it("quotes indicators and comment/mapping look-alikes", () => {
    for (const s of [
      "a: b",
      "#x",
      "*x",
      "&x",
      "!x",
      "- x",
      "-",
      "?x",
      ":x",
      "a #b",
      "{{ v }}",
      "[a]",
    ])
      expect(quoteString(s)).toBe(`"${s}"`);
    expect(quoteString("it's")).toBe("it's");
    expect(quoteString("'q")).toBe(`"'q"`);
    expect(quoteString('"q\\')).toBe(String.raw`"\"q\\"`);
  });

  it("uses double quotes with escapes for control characters and line breaks", () => {
    expect(quoteString("a\nb")).toBe('"a\\nb"');
    expect(quoteString("tab\there")).toBe('"tab\\there"');
    expect(quoteString("bell\x07")).toBe('"bell\\a"');
  });
});

describe("formatNumber", () => {
  it("keeps a dot before an exponent so YAML 1.1 reads a float", () => {
    expect(formatNumber(1e23)).toBe("1.0e+23");
    expect(formatNumber(1.5)).toBe("1.5");
    expect(formatNumber(Number.NEGATIVE_INFINITY)).toBe("-.inf");
    expect(parse(`v: ${formatNumber(1e23)}`, { version: "1.1" })).toEqual({ v: 1e23 });
  });
});

describe("emitYaml", () => {
  it("writes block style: lists indented under keys, None empty, empty collections inline", () => {
    const text = emitYaml({
      a: 1,
      c: null,
      d: [],
      e: {},
      f: [1, null, { k: "v", l: [1, 2] }, [3, 4]],
      g: { h: { i: [{ j: null }] } },
    });
    expect(text).toBe(
      [
        "a: 1",
        "c:",
        "d: []",
        "e: {}",
        "f:",
        "  - 1",
        "  - ~",
        "  - k: v",
        "    l:",
        "      - 1",
        "      - 2",
        "  - - 3",
        "    - 4",
        "g:",
        "  h:",
        "    i:",
        "      - j:",
        "",
      ].join("\n"),
    );
  });

  it("keeps insertion order of keys", () => {
    expect(emitYaml({ z: 1, a: 2, m: 3 })).toBe("z: 1\na: 2\nm: 3\n");
  });

  it("round-trips arbitrary data through YAML 1.1 and 1.2 readers", () => {
    fc.assert(
      fc.property(docs, (doc) => {
        const text = emitYaml(doc);
        for (const [name, read] of readers) expect(read(text) ?? {}, name).toEqual(doc);
      }),
      { numRuns: 300 },
    );
  });
});

const key = fc.string({ minLength: 1, maxLength: 12 });
const leaf = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom("yes", "no", "~", "0777", "1e3", "a: b", " x", "x ", "#", "-", "é\u2028", "e0"),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec<{ v: YamlValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(key, tie("v"), { maxKeys: 4 }),
  ),
})).v;
const docs = fc.dictionary(key, value, { maxKeys: 5 });
