// One YAML file: every hazard gives its code at the right position, never an exception, and
// locate() maps JSON paths back to line and column (also with a BOM, CRLF and merge keys).
import { describe, expect, it } from "vitest";
import { yml } from "../../tests/kit/infra.js";
import {
  firstInvalidUtf8,
  MAX_EXPANDED_NODES,
  MAX_FILE_BYTES,
  offsetToPosition,
  parseYamlSource,
} from "./yaml-source.js";

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(
    parts.flatMap((p) => (typeof p === "string" ? [...new TextEncoder().encode(p)] : p)),
  );

const where = (src: { diagnostics: readonly { code: string; location?: object }[] }) =>
  src.diagnostics.map((d) => ({ code: d.code, ...d.location }));

describe("parseYamlSource", () => {
  it("parses a mapping with no diagnostics", () => {
    // Arrange
    const text = "project_name: x\nglobal: {}\ndomains: {}\n";
    // Act
    const src = parseYamlSource(text, "infra.yml");
    // Assert
    expect(src.diagnostics).toEqual([]);
    expect(src.value).toEqual({ project_name: "x", global: {}, domains: {} });
    expect(src.empty).toBe(false);
  });

  it("decodes UTF-8 bytes", () => {
    const src = parseYamlSource(bytes("description: café ☕\n"), "infra.yml");

    expect(src.value).toEqual({ description: "café ☕" });
  });

  describe("PLB003 invalid UTF-8", () => {
    it.each([
      ["a byte 0xff", [0xff]],
      ["a lone continuation byte", [0x80]],
      ["an overlong encoding", [0xc0, 0x80]],
      ["an encoded surrogate", [0xed, 0xa0, 0x80]],
      ["a code point past U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
      ["a truncated sequence at the end", [0xe2, 0x82]],
    ])("reports %s at its line and column", (_, bad) => {
      const src = parseYamlSource(bytes("project_name: x\nglobal: ", bad, "\n"), "infra.yml");

      expect(where(src)).toEqual([{ code: "PLB003", file: "infra.yml", line: 2, column: 9 }]);
      expect(src.value).toBeUndefined();
    });

    it("counts columns in characters, not bytes, and ignores CR", () => {
      const src = parseYamlSource(bytes("a: 1\r\nname: é", [0xff], "\r\n"), "f.yml");

      expect(where(src)).toEqual([{ code: "PLB003", file: "f.yml", line: 2, column: 8 }]);
    });
  });

  describe("PLB004 file too large", () => {
    it("refuses a file the reader reported as oversized, without decoding it", () => {
      const src = parseYamlSource(new Uint8Array(0), "big.yml", MAX_FILE_BYTES + 1);

      expect(where(src)).toEqual([{ code: "PLB004", file: "big.yml", line: 1, column: 1 }]);
      expect(src.value).toBeUndefined();
    });

    it("refuses oversized bytes and oversized text", () => {
      const big = new Uint8Array(MAX_FILE_BYTES + 1).fill(0x20);

      expect(where(parseYamlSource(big, "b.yml"))[0]?.code).toBe("PLB004");
      expect(where(parseYamlSource(" ".repeat(MAX_FILE_BYTES + 1), "t.yml"))[0]?.code).toBe(
        "PLB004",
      );
    });

    it("accepts a file of exactly the limit", () => {
      const text = `a: 1\n${"#".repeat(MAX_FILE_BYTES - 6)}\n`;

      const src = parseYamlSource(text, "f.yml");

      expect(text.length).toBe(MAX_FILE_BYTES);
      expect(src.diagnostics).toEqual([]);
    });
  });

  describe("empty documents (PLB005 is the caller's decision)", () => {
    it.each([
      ["no text", ""],
      ["whitespace", "  \n\n"],
      ["comments only", "# nothing here\n# yet\n"],
      ["a bare document marker", "---\n...\n"],
    ])("marks %s as empty", (_, text) => {
      const src = parseYamlSource(text, "f.yml");

      expect(src.diagnostics).toEqual([]);
      expect(src.value).toBeNull();
      expect(src.empty).toBe(true);
    });

    it("tells an explicit null apart from an empty file", () => {
      const src = parseYamlSource("~\n", "f.yml");

      expect(src.value).toBeNull();
      expect(src.empty).toBe(false);
    });
  });

  describe("PLB006 syntax errors", () => {
    it.each([
      ["a block mapping used as a key", "a: 1\nb: c: d\n", 2, 4],
      ["an unterminated flow sequence", "a: 1\nb: [1, 2\nc: 3\n", 3, 1],
      ["a second document", "a: 1\n---\nb: 2\n", 2, 1],
      ["an unknown alias", "a: 1\nb: *nope\n", 2, 9],
      ["an unknown tag", "a: 1\nb: !custom x\n", 2, 13],
    ])("reports %s with its position", (_, text, line, column) => {
      const src = parseYamlSource(text, "f.yml");

      expect(where(src)).toEqual([{ code: "PLB006", file: "f.yml", line, column }]);
      expect(src.value).toBeUndefined();
    });

    it("reports every error the parser finds, not only the first", () => {
      const src = parseYamlSource("a: b: c\nd: 1\ne: f: g\n", "f.yml");

      expect(where(src)).toEqual([
        { code: "PLB006", file: "f.yml", line: 1, column: 4 },
        { code: "PLB006", file: "f.yml", line: 3, column: 4 },
      ]);
    });
  });

  describe("PLB007 duplicate keys", () => {
    it("reports the repeated key, nested or in a flow mapping", () => {
      const text = yml`
        a:
          b: 1
          b: 2
        c: {x: 1, x: 2}
      `;

      const src = parseYamlSource(text, "f.yml");

      expect(where(src)).toEqual([
        { code: "PLB007", file: "f.yml", line: 3, column: 3 },
        { code: "PLB007", file: "f.yml", line: 4, column: 11 },
      ]);
    });

    it("lets a key override one brought in by a `<<` merge", () => {
      const text = yml`
        base: &base {type: lxc, gpu: false}
        m1:
          <<: *base
          gpu: true
      `;

      const src = parseYamlSource(text, "f.yml");

      expect(src.diagnostics).toEqual([]);
      expect(src.value).toEqual({
        base: { type: "lxc", gpu: false },
        m1: { type: "lxc", gpu: true },
      });
    });
  });

  describe("PLB008 alias bombs", () => {
    it("refuses a billion-laughs document, pointing at the first alias", () => {
      const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
      for (let i = 1; i < 8; i++) {
        const prev = String.fromCharCode(96 + i);
        const cur = String.fromCharCode(97 + i);
        levels.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(", ")}]`);
      }

      const src = parseYamlSource(`${levels.join("\n")}\n`, "bomb.yml");

      expect(where(src)).toEqual([{ code: "PLB008", file: "bomb.yml", line: 2, column: 8 }]);
      expect(src.value).toBeUndefined();
    });

    it("accepts ordinary anchor reuse well under the bound", () => {
      const text = yml`
        defaults: &d {limits.cpu: "1"}
        a: *d
        b: *d
      `;

      const src = parseYamlSource(text, "f.yml");

      expect(src.diagnostics).toEqual([]);
      expect(MAX_EXPANDED_NODES).toBeGreaterThan(1000);
    });
  });

  describe("PLB010 tabs", () => {
    it.each([
      ["a mapping", "a:\n\tb: 1\n"],
      ["a sequence", "a:\n\t- 1\n"],
    ])("reports tab indentation of %s at the tab", (_, text) => {
      expect(where(parseYamlSource(text, "f.yml"))).toEqual([
        { code: "PLB010", file: "f.yml", line: 2, column: 1 },
      ]);
    });

    it("accepts a tab inside a value", () => {
      const src = parseYamlSource('a: "x\ty"\nb: x\ty\n', "f.yml");

      expect(src.diagnostics).toEqual([]);
      expect(src.value).toEqual({ a: "x\ty", b: "x\ty" });
    });
  });

  describe("YAML 1.2 core schema", () => {
    it("keeps yes/no/on/off, timestamps and sexagesimals as strings", () => {
      const src = parseYamlSource("a: yes\nb: off\nc: 2024-01-02\nd: 1:30\ne: 0o17\n", "f.yml");

      expect(src.value).toEqual({ a: "yes", b: "off", c: "2024-01-02", d: "1:30", e: 15 });
    });
  });

  describe("YAML 1.2 integers", () => {
    it("reads 0b…, signed hex and signed octal as strings, as YAML 1.2 and the locator do", () => {
      const src = parseYamlSource(
        "0b1: a\nb: 0b11\nc: -0x1f\nd: +0o7\ne: 0x1f\nf: 0o17\ng: -12\nh: +3\n",
        "f.yml",
      );

      expect(src.value).toEqual({
        "0b1": "a",
        b: "0b11",
        c: "-0x1f",
        d: "+0o7",
        e: 31,
        f: 15,
        g: -12,
        h: 3,
      });
      expect(src.locate(["0b1"], "key")).toMatchObject({ line: 1, column: 1 });
    });
  });

  describe("byte order mark", () => {
    it("strips a BOM from text and from bytes; positions start after it", () => {
      const text = "\uFEFFa: 1\nb: 2\n";

      for (const content of [text, bytes(text)]) {
        const src = parseYamlSource(content, "f.yml");

        expect(src.value).toEqual({ a: 1, b: 2 });
        expect(src.locate(["a"], "key")).toMatchObject({ line: 1, column: 1 });
        expect(src.locate(["b"])).toMatchObject({ line: 2, column: 4 });
      }
    });
  });
});

describe("locate", () => {
  const text = yml`
    project_name: x
    domains:
      web:
        machines:
          w1: {ip: 10.120.0.1, profiles: [default, big]}
          w2:
            ip: 10.120.0.2
    network_policies:
      - from: web
        to: host
  `;
  const src = parseYamlSource(text, "infra.yml");

  it("points at a value, or at its key with target 'key'", () => {
    expect(src.locate(["domains", "web", "machines", "w2", "ip"])).toEqual({
      file: "infra.yml",
      line: 7,
      column: 13,
      length: 10,
    });
    expect(src.locate(["domains", "web", "machines", "w2", "ip"], "key")).toMatchObject({
      line: 7,
      column: 9,
      length: 2,
    });
  });

  it("follows flow mappings and sequences by index", () => {
    expect(src.locate(["domains", "web", "machines", "w1", "profiles", 1])).toMatchObject({
      line: 5,
      column: 48,
    });
    expect(src.locate(["network_policies", 0, "to"])).toMatchObject({ line: 10, column: 9 });
  });

  it("points at a sequence item itself when the path ends on an index", () => {
    expect(src.locate(["network_policies", 0], "key")).toMatchObject({ line: 9, column: 5 });
  });

  it("falls back to the deepest key found for a path that does not exist", () => {
    expect(src.locate(["domains", "web", "machines", "w9", "ip"])).toMatchObject({
      line: 4,
      column: 5,
    });
    expect(src.locate(["nope"])).toMatchObject({ line: 1, column: 1 });
  });

  it("underlines at most the rest of the line for a multi-line node", () => {
    expect(src.locate(["domains", "web"])).toMatchObject({ line: 4, column: 5, length: 1 });
  });

  it("gives correct positions with CRLF line endings", () => {
    const crlf = parseYamlSource(text.replace(/\n/g, "\r\n"), "infra.yml");

    expect(crlf.diagnostics).toEqual([]);
    expect(crlf.locate(["domains", "web", "machines", "w2", "ip"])).toEqual({
      file: "infra.yml",
      line: 7,
      column: 13,
      length: 10,
    });
    expect(crlf.locate(["network_policies", 0, "to"])).toMatchObject({ line: 10, column: 9 });
    expect(crlf.lineText(7)).toBe("        ip: 10.120.0.2");
  });

  it("resolves aliases on the way", () => {
    const aliased = parseYamlSource(
      yml`
        shared: &s
          inner:
            key: 1
        use: *s
      `,
      "f.yml",
    );

    expect(aliased.locate(["use", "inner", "key"])).toMatchObject({ line: 3, column: 10 });
  });

  it("finds duplicate-key positions in a file that otherwise failed", () => {
    const dup = parseYamlSource("a: 1\na: 2\n", "f.yml");

    expect(dup.locate(["a"], "key")).toMatchObject({ line: 1, column: 1 });
  });
});

describe("lineText", () => {
  it("returns a line without its end-of-line characters, or undefined past the end", () => {
    const src = parseYamlSource("a: 1\r\nb: 2\n", "f.yml");

    expect(src.lineText(1)).toBe("a: 1");
    expect(src.lineText(2)).toBe("b: 2");
    expect(src.lineText(9)).toBeUndefined();
  });
});

describe("offsetToPosition", () => {
  it("maps offsets to 1-based line and column", () => {
    expect(offsetToPosition("ab\ncd\n", 0)).toEqual({ line: 1, column: 1 });
    expect(offsetToPosition("ab\ncd\n", 4)).toEqual({ line: 2, column: 2 });
    expect(offsetToPosition("ab\ncd\n", 6)).toEqual({ line: 3, column: 1 });
  });
});

describe("firstInvalidUtf8", () => {
  it("accepts every well-formed width and finds the first bad byte", () => {
    expect(firstInvalidUtf8(bytes("a é € 😀"))).toBe(-1);
    expect(firstInvalidUtf8(bytes("ab", [0xc3], "c"))).toBe(2);
    expect(firstInvalidUtf8(bytes("é", [0xf5, 0x80, 0x80, 0x80]))).toBe(2);
    expect(firstInvalidUtf8(bytes([0xe0, 0x80, 0x80]))).toBe(0);
  });
});
