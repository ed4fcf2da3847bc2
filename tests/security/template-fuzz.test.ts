// Issue 9 item 2 (fuzz): 1,000 generated Nunjucks escape payloads — constructor chains through
// range, cycler, joiner, loop, literals, inputs and filters, in output, if, for, set and filter
// arguments — execute nothing under plumb's renderer. A control run through stock nunjucks shows
// the corpus is real: a large share of the same payloads do execute there.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import nunjucks from "nunjucks";
import { afterAll, describe, expect, it } from "vitest";
import { isPlumbError } from "../../core/errors.js";
import type { TemplateManifest } from "../../core/model/template.js";
import { renderText, scopeOf } from "../../generators/contract/render.js";

const dir = mkdtempSync(join(tmpdir(), "plumb-fuzz-"));
const canary = join(dir, "pwned");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const g = globalThis as { __plumbPwned?: number; __plumbControl?: number };
const CODES = [
  "globalThis.__plumbPwned = 1",
  `process.getBuiltinModule('fs').writeFileSync('${canary}', 'x')`,
  `process.getBuiltinModule('child_process').execSync('touch ${canary}')`,
];
const CONTROL = "globalThis.__plumbControl = (globalThis.__plumbControl || 0) + 1";

const BASES = [
  "range",
  "cycler",
  "joiner",
  "loop",
  '""',
  "''",
  "[]",
  "0",
  "domain",
  "items",
  "(domain | list)",
  "(items | first)",
  "(domain | upper)",
  "(items | join)",
  "(domain | default(range))",
];
const TO_FUNCTION = [
  ".constructor",
  '["constructor"]',
  ".toString.constructor",
  ".valueOf.constructor",
  '["__proto__"]["constructor"]',
  ".__proto__.constructor",
  '.constructor["constructor"]',
  ".constructor.constructor",
  ".toString.call.constructor",
  '["con" + "structor"]',
];
const CALLS = [
  (fn: string, code: string) => `${fn}(${JSON.stringify(code)})()`,
  (fn: string, code: string) => `${fn}.call(null, ${JSON.stringify(code)})()`,
  (fn: string, code: string) => `${fn}.apply(null, [${JSON.stringify(code)}])()`,
  (fn: string, code: string) => `(${fn}(${JSON.stringify(code)}))()`,
];
const WRAPPERS = [
  (x: string) => `{{ ${x} }}`,
  (x: string) => `{{${x}}}`,
  (x: string) => `{% if ${x} %}y{% endif %}`,
  (x: string) => `{% for i in [1] %}{{ ${x} }}{% endfor %}`,
  (x: string) => `{% for i in items %}{% if loop.first %}{{ ${x} }}{% endif %}{% endfor %}`,
  (x: string) => `{% set y = ${x} %}{{ y }}`,
  (x: string) => `{{ domain | replace("a", ${x}) }}`,
  (x: string) => `{{ domain | default(${x}) }}`,
  (x: string) => `{{ [${x}] | join }}`,
  (x: string) => `{{ domain if ${x} else items }}`,
  (x: string) => `text before\n  {{ ${x} | safe }}\nafter`,
];

const payload = fc
  .record({
    base: fc.constantFrom(...BASES),
    chain: fc.constantFrom(...TO_FUNCTION),
    call: fc.integer({ min: 0, max: CALLS.length - 1 }),
    wrap: fc.integer({ min: 0, max: WRAPPERS.length - 1 }),
    code: fc.integer({ min: 0, max: CODES.length - 1 }),
  })
  .map(({ base, chain, call, wrap, code }) => ({
    make: (c: string) =>
      (WRAPPERS[wrap] as (x: string) => string)(
        (CALLS[call] as (fn: string, code: string) => string)(`${base}${chain}`, c),
      ),
    code: CODES[code] as string,
  }));

const manifest = {
  inputs: { type: "object", properties: { domain: {}, items: {} } },
} as unknown as TemplateManifest;
const inputs = { domain: "example.com", items: ["a", "b"] };

describe("template fuzz: known Nunjucks escape payloads", () => {
  it("1,000 payloads are refused by plumb's renderer and execute nothing", () => {
    const refusedCodes = new Set<string>();
    let runs = 0;
    let controlExecuted = 0;
    fc.assert(
      fc.property(payload, ({ make, code }) => {
        runs++;
        const text = make(code);
        let rendered: string | undefined;
        try {
          rendered = renderText(text, scopeOf(manifest, inputs), "fuzz.njk");
        } catch (e) {
          expect(isPlumbError(e)).toBe(true);
          refusedCodes.add((e as { code: string }).code);
        }
        expect(rendered).toBeUndefined();
        expect(g.__plumbPwned).toBeUndefined();
        expect(existsSync(canary)).toBe(false);
        // Control: stock nunjucks on the same payload with a harmless counter as the code.
        const before = g.__plumbControl ?? 0;
        try {
          new nunjucks.Environment(null, { autoescape: false }).renderString(make(CONTROL), inputs);
        } catch {
          // many payloads fail under stock nunjucks too; only the count matters
        }
        if ((g.__plumbControl ?? 0) > before) controlExecuted++;
      }),
      { numRuns: 1000, seed: 9002 },
    );
    expect(runs).toBe(1000);
    expect([...refusedCodes].every((c) => c === "PLB823" || c === "PLB856")).toBe(true);
    // The corpus is not vacuous: stock nunjucks runs a good share of it.
    expect(controlExecuted).toBeGreaterThan(200);
    expect(g.__plumbPwned).toBeUndefined();
    expect(existsSync(canary)).toBe(false);
  });
});
