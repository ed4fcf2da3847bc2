import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runBash } from "../../tests/kit/bash.js";
import { PlumbError } from "../errors.js";
import { shq, shqArgv } from "./quote.js";

// Strings bash can hold: no NUL, well-formed Unicode.
const representable = fc
  .string({ unit: "binary" })
  .filter((s) => !s.includes("\u0000") && s.isWellFormed());
const NASTY = [
  "$(id)",
  "`id`",
  "a\nb",
  "a\rb",
  "\u001b[31m",
  "\u2028",
  "'\"'",
  "-rf",
  "~root",
  "*",
  "?",
  "[a]",
  "!!",
  "\\",
  "'",
  "''",
  ["$", "{HOME}"].join(""),
  " lead",
  "trail ",
  "",
  "é€𝄞",
];

describe("shq", () => {
  it("wraps in single quotes and escapes a quote as '\\''", () => {
    expect(shq("it's")).toBe("'it'\\''s'");
    expect(shq("")).toBe("''");
  });

  it("refuses NUL and lone surrogates instead of changing the value", () => {
    for (const bad of ["a\u0000b", "\ud800", "x\udfffy"]) {
      expect(() => shq(bad)).toThrow(PlumbError);
      try {
        shq(bad);
      } catch (e) {
        expect((e as PlumbError).code).toBe("PLB852");
      }
    }
  });

  it("round-trips nasty inputs through real bash byte for byte", () => {
    const script = NASTY.map((v) => `printf '%s\\0' ${shq(v)}`).join("\n");
    const r = runBash(script);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\u0000").slice(0, -1)).toEqual(NASTY);
  });

  it("round-trips arbitrary strings through real bash (property)", () => {
    fc.assert(
      fc.property(fc.array(representable, { minLength: 1, maxLength: 8 }), (values) => {
        const r = runBash(`v=(${shqArgv(values)}); printf '%s\\0' "\${v[@]}"`);
        expect(r.code).toBe(0);
        expect(r.stdout.split("\u0000").slice(0, -1)).toEqual(values);
      }),
      { numRuns: 60 },
    );
  });
});
