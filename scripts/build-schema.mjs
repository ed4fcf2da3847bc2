#!/usr/bin/env node
// Writes validators/infra.schema.json (the published copy of validators/infra-schema.ts) from
// the built code. Run by `npm run build`; a test fails when the committed copy is stale.
import { writeFileSync } from "node:fs";
import { infraSchema } from "../dist/validators/infra-schema.js";

writeFileSync(
  new URL("../validators/infra.schema.json", import.meta.url),
  `${JSON.stringify(infraSchema, null, 2)}\n`,
);
