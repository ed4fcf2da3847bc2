// YAML mistakes: the real line and column of the mistake, and a hint for each kind.
import { describe, expect, it } from "vitest";
import { validateDir } from "../../tests/kit/infra.js";
import { parseYamlSource } from "./yaml-source.js";

const first = (text: string) => {
  const d = parseYamlSource(text, "f.yml").diagnostics[0];
  return { code: d?.code, line: d?.location?.line, column: d?.location?.column, hint: d?.hint };
};

describe("YAML syntax errors: position and hint per kind", () => {
  it("a tab used for indentation", () => {
    expect(first("web:\n  machines:\n\tweb-1: {}\n")).toEqual({
      code: "PLB010",
      line: 3,
      column: 1,
      hint: expect.stringContaining("spaces only"),
    });
  });

  it("a duplicate key names the line of the first one", () => {
    expect(first("db:\n  a: 1\n  b: 2\n  a: 3\n")).toEqual({
      code: "PLB007",
      line: 4,
      column: 3,
      hint: expect.stringContaining("already set at line 2"),
    });
  });

  it("an unclosed double quote points at the opening quote, not the end of the file", () => {
    expect(first('ci:\n  description: "unclosed\n  subnet_id: 3\n')).toEqual({
      code: "PLB006",
      line: 2,
      column: 16,
      hint: expect.stringContaining('never closed: add the closing "'),
    });
  });

  it("an unclosed single quote too (doubled quotes inside are skipped)", () => {
    expect(first("ci:\n  description: 'it''s\n  subnet_id: 3\n")).toMatchObject({
      line: 2,
      column: 16,
      hint: expect.stringContaining("single-quoted"),
    });
  });

  it("bad indentation points at the key and says which indentations are around", () => {
    const text = "ops:\n  machines:\n    o-1:\n      type: lxc\n     ip: 10.1.1.1\n";

    expect(first(text)).toEqual({
      code: "PLB006",
      line: 5,
      column: 6,
      hint: "this line is indented by 5 spaces, the lines above by 6 or 4: keys of one mapping start in the same column",
    });
  });

  it("an unclosed flow mapping, a missing colon, a value with ': ', a reserved first character", () => {
    expect(first("ops: {a: 1\nb: 2\n").hint).toContain("add '}'");
    expect(first("ops: [1, 2\n").hint).toContain("add ']'");
    expect(first("ops:\n  a 1\n  b: 2\n").hint).toContain("`key: value`");
    expect(first("ops:\n  description: a: b\n").hint).toContain("quote the whole value");
    expect(first("ops:\n  x: @foo\n").hint).toContain("must be quoted");
  });

  it("every syntax error has a hint and a position of at least 1:1", () => {
    for (const text of ["a: [\n", "a: b: c\n", "- a\nb: c\n", "a:\n  - b\n c: d\n", '"a\n']) {
      for (const d of parseYamlSource(text, "f.yml").diagnostics) {
        expect(d.hint, text).toBeTruthy();
        expect(d.location?.line).toBeGreaterThanOrEqual(1);
        expect(d.location?.column).toBeGreaterThanOrEqual(1);
      }
    }
  });
});

describe("one unreadable file does not hide the others' problems", () => {
  it("reports the syntax error and the other files' structural problems", () => {
    const r = validateDir({
      "base.yml": "project_name: t\nglobal: {addressing: {base_octet: 10}}\n",
      "domains/a.yml": "web:\n  machines:\n\tweb-1: {}\n",
      "domains/b.yml": "db:\n  subnet_id: 300\n  machines:\n    db-1: {typ: vm}\n",
    });

    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => `${d.code} ${d.location?.file}:${d.location?.line}`)).toEqual([
      "PLB010 infra/domains/a.yml:3",
      "PLB104 infra/domains/b.yml:2",
      "PLB106 infra/domains/b.yml:4",
    ]);
  });

  it("a broken base.yml still lets the domain files be checked", () => {
    const r = validateDir({
      "base.yml": "project_name: t\nglobal: {\n",
      "domains/b.yml": "db:\n  trust_level: trusty\n",
    });

    expect(r.diagnostics.map((d) => d.code)).toEqual(["PLB006", "PLB103"]);
  });
});
