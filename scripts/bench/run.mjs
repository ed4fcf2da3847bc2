#!/usr/bin/env node
// `npm run bench`: runs every scripts/bench/*.bench.mjs (or those named on the command line,
// e.g. `npm run bench -- validate`) and prints their figures. `--runs N` sets repetitions;
// `--json` prints all results as JSON at the end. Extra flags are passed to each bench.
import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  options: { runs: { type: "string" }, json: { type: "boolean" }, compare: { type: "string" } },
  allowPositionals: true,
});
const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((f) => f.endsWith(".bench.mjs"))
  .sort();
const chosen = positionals.length
  ? all.filter((f) => positionals.some((p) => f.startsWith(p)))
  : all;
const out = {};
for (const f of chosen) {
  console.log(`\n== ${f.replace(".bench.mjs", "")} ==`);
  const mod = await import(`./${f}`);
  out[f] = await mod.bench({
    runs: values.runs ? Number(values.runs) : 5,
    compare: values.compare,
  });
}
if (values.json) console.log(JSON.stringify(out, null, 2));
