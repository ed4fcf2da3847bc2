#!/usr/bin/env node
// `npm run gen`: rewrites the committed generated artifacts from the built code:
//   validators/infra.schema.json  (published copy of validators/infra-schema.ts, for editors)
//   validators/infra-{base,domain,policies}.schema.json (per-file schemas of directory mode)
//   validators/template.schema.json (same for templates/<slug>/template.yml)
//   docs/error-codes.md           (from core/codes.ts)
//   docs/infra-reference.md       (its key tables, from the schema)
// Tests fail when a committed copy is stale, so run this after changing the schema or codes.
import { readFileSync, writeFileSync } from "node:fs";
import { renderErrorCodesDoc } from "../dist/core/codes-doc.js";
import { FILE_SCHEMAS } from "../dist/validators/infra-file-schemas.js";
import { infraSchema } from "../dist/validators/infra-schema.js";
import { spliceKeyTables } from "../dist/validators/reference-doc.js";
import { templateSchema } from "../dist/validators/template-schema.js";

writeFileSync(
  new URL("../validators/infra.schema.json", import.meta.url),
  `${JSON.stringify(infraSchema, null, 2)}\n`,
);
for (const [name, schema] of Object.entries(FILE_SCHEMAS)) {
  writeFileSync(
    new URL(`../validators/${name}`, import.meta.url),
    `${JSON.stringify(schema, null, 2)}\n`,
  );
}
writeFileSync(
  new URL("../validators/template.schema.json", import.meta.url),
  `${JSON.stringify(templateSchema, null, 2)}\n`,
);
writeFileSync(new URL("../docs/error-codes.md", import.meta.url), renderErrorCodesDoc());
const ref = new URL("../docs/infra-reference.md", import.meta.url);
writeFileSync(ref, spliceKeyTables(readFileSync(ref, "utf8")));
console.log(
  "wrote validators/infra.schema.json, validators/infra-{base,domain,policies}.schema.json, validators/template.schema.json, docs/error-codes.md, docs/infra-reference.md (key tables)",
);
