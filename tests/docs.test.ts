// Generated documents stay in step with the code they are generated from (`npm run gen`).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CODES } from "../core/codes.js";
import { renderErrorCodesDoc } from "../core/codes-doc.js";

const REPO = join(import.meta.dirname, "..");

describe("docs/error-codes.md", () => {
  it("is the rendering of core/codes.ts (run `npm run gen` after changing codes)", () => {
    expect(readFileSync(join(REPO, "docs", "error-codes.md"), "utf8")).toBe(renderErrorCodesDoc());
  });

  it("lists every code exactly once", () => {
    const doc = renderErrorCodesDoc();
    for (const code of Object.keys(CODES)) expect(doc.split(`| ${code} |`).length - 1).toBe(1);
  });
});

describe("docs/infra-reference.md", () => {
  it("has key tables generated from the current schema (run `npm run gen`)", async () => {
    const { spliceKeyTables } = await import("../validators/reference-doc.js");
    const doc = readFileSync(join(REPO, "docs", "infra-reference.md"), "utf8");
    expect(doc).toBe(spliceKeyTables(doc));
  });

  it("documents every semantic rule of the registry", async () => {
    const { RULES } = await import("../validators/rules/index.js");
    const doc = readFileSync(join(REPO, "docs", "infra-reference.md"), "utf8");
    for (const name of Object.keys(RULES)) expect(doc).toContain(`\`${name}\``);
  });
});

describe("validators/template.schema.json", () => {
  it("is the published copy of validators/template-schema.ts (run `npm run gen`)", async () => {
    const { templateSchema } = await import("../validators/template-schema.js");
    expect(
      JSON.parse(readFileSync(join(REPO, "validators", "template.schema.json"), "utf8")),
    ).toEqual(templateSchema);
  });
});
