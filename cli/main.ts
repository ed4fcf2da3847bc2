#!/usr/bin/env node
// Entry point of the `plumb` binary. Everything else lives in run.ts (importable by tests).
import { main } from "./run.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`plumb: fatal: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
