// Property (a) of the loader + validator: they never throw, whatever the text, bytes or
// JSON-like value: they return diagnostics, each with a known code, a severity and a position
// (and never PLB999, a crashed rule). Properties (b) and (c): validator-estates.property.test.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadInfra } from "../../core/source/infra-source.js";
import { buildContext } from "../../validators/rules/context.js";
import { RULES } from "../../validators/rules/index.js";
import { checkSchema } from "../../validators/schema-check.js";
import { loadDir, loadText } from "../kit/infra.js";
import { infraShaped, validEstate } from "../kit/infra-arbitrary.js";
import { check, ESTATE_RUNS, RUNS, SCALE } from "../kit/validator-property.js";

describe("(a) the loader and validator never throw", () => {
  it("on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.boolean(), (text, strict) => {
        check(loadText(text), strict);
      }),
      RUNS,
    );
  });

  it("on arbitrary Unicode text (astral planes, controls, BOMs)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        check(loadText(text));
      }),
      RUNS,
    );
  });

  it("on arbitrary bytes (invalid UTF-8 included)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (content) => {
        check(loadInfra({ mode: "file", file: { path: "infra.yml", content } }));
      }),
      RUNS,
    );
  });

  const token = fc.constantFrom(
    "project_name",
    "global",
    "domains",
    "machines",
    "ip",
    "addressing",
    "zone_base",
    "profiles",
    "network_policies",
    "shared_volumes",
    "consumers",
    "from",
    "to",
    "ports",
    "web",
    "w1",
    "__proto__",
    ":",
    ": ",
    " ",
    "  ",
    "\n",
    "\n  ",
    "\n    ",
    "\n      ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    ", ",
    "&a ",
    "*a",
    "<<: ",
    "\t",
    "# c",
    '"',
    "'",
    "---\n",
    "...\n",
    "~",
    "null",
    "true",
    "yes",
    "10.120.0.1",
    "254",
    "-1",
    "0b1",
    "\uFEFF",
    "\r\n",
    "!!str ",
    "!!binary ",
    "!tag ",
    "|\n",
    ">-\n",
    "? ",
    "%YAML 1.2\n",
  );

  it("on YAML-ish token soup", () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 80 }), (tokens) => {
        check(loadText(tokens.join("")));
      }),
      RUNS,
    );
  });

  it("on valid estates with random character edits", () => {
    const edit = fc.record({
      at: fc.nat(),
      cut: fc.integer({ min: 0, max: 4 }),
      insert: fc.oneof(token, fc.string({ maxLength: 3 })),
    });
    fc.assert(
      fc.property(validEstate, fc.array(edit, { minLength: 1, maxLength: 4 }), (e, edits) => {
        let text = stringify(e.doc);
        for (const { at, cut, insert } of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + insert + text.slice(i + cut);
        }
        check(loadText(text));
      }),
      ESTATE_RUNS,
    );
  });

  it("on arbitrary JSON values, through YAML and directly", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        check(loadText(stringify(value)));
        expect(Array.isArray(checkSchema(value))).toBe(true);
        if (value !== null && typeof value === "object" && !Array.isArray(value)) {
          const ctx = buildContext(value as Record<string, unknown>);
          for (const rule of Object.values(RULES)) expect(Array.isArray(rule(ctx))).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("on infra-shaped documents with random leaves", () => {
    fc.assert(
      fc.property(infraShaped, fc.boolean(), (doc, strict) => {
        check(loadText(stringify(doc)), strict);
      }),
      { numRuns: Math.round(200 * SCALE) },
    );
  });

  it("on directory trees of arbitrary files", () => {
    const file = fc.option(
      fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.array(token, { maxLength: 30 }).map((t) => t.join("")),
        infraShaped.map((d) => stringify(d)),
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(file, fc.array(file, { maxLength: 3 }), file, (base, domains, policies) => {
        const files: Record<string, string> = {};
        if (base !== undefined) files["base.yml"] = base;
        domains.forEach((d, i) => {
          if (d !== undefined) files[`domains/d${i}.yml`] = d;
        });
        if (policies !== undefined) files["policies.yml"] = policies;
        check(loadDir(files));
      }),
      RUNS,
    );
  });
});

/** Splits an estate into infra/ files: base.yml, one domains/<name>.yml each, policies.yml. */
