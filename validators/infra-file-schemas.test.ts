// Editor schemas for both layouts: each shipped infra file names, in its `$schema` header, a
// schema it validates against; the per-file schemas are derived from the one infra schema and
// their published copies are fresh (`npm run gen`).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { domainFileSchema, FILE_SCHEMAS } from "./infra-file-schemas.js";
import { infraSchema } from "./infra-schema.js";

const REPO = join(import.meta.dirname, "..");
const HEADER = /^# yaml-language-server: \$schema=(\S+)$/m;

function shippedInfraFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      // addresses.lock.yml is plumb's record of allocations, not an infra input.
      else if (e.name.endsWith(".yml") && e.name !== "addresses.lock.yml") out.push(p);
    }
  };
  walk(join(REPO, "infra"));
  return out.sort();
}

const compile = (schema: object) =>
  new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

describe("per-file editor schemas", () => {
  it.each(Object.entries(FILE_SCHEMAS))("validators/%s is the published copy", (name, schema) => {
    const published = JSON.parse(readFileSync(join(REPO, "validators", name), "utf8"));
    expect(published).toEqual(JSON.parse(JSON.stringify(schema)));
  });

  it.each(Object.keys(FILE_SCHEMAS))("%s compiles under ajv's strict mode", (name) => {
    expect(() => compile(FILE_SCHEMAS[name as keyof typeof FILE_SCHEMAS])).not.toThrow();
  });

  it.each(shippedInfraFiles().map((f) => [relative(REPO, f), f]))(
    "%s validates against the schema its header names",
    (_, file) => {
      const text = readFileSync(file, "utf8");
      const ref = HEADER.exec(text)?.[1];
      expect(ref, "a $schema header").toBeDefined();
      const schemaPath = join(dirname(file), ref as string);
      expect(schemaPath.startsWith(join(REPO, "validators"))).toBe(true);
      const validate = compile(JSON.parse(readFileSync(schemaPath, "utf8")));

      const ok = validate(jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }));

      expect(validate.errors ?? [], relative(REPO, file)).toEqual([]);
      expect(ok).toBe(true);
    },
  );

  it("a domain file fails the single-file schema (why per-file schemas exist)", () => {
    const text = readFileSync(join(REPO, "infra", "domains", "web.yml"), "utf8");
    expect(compile(infraSchema)(jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }))).toBe(false);
  });

  it("still catches a typo in a domain file", () => {
    const validate = compile(domainFileSchema);
    expect(validate({ web: { machines: { w1: { typ: "vm" } } } })).toBe(false);
    expect(validate({ Web: {} })).toBe(false);
    expect(validate({ web: { machines: { w1: { type: "vm" } } } })).toBe(true);
  });
});
