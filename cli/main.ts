#!/usr/bin/env node
// Entry point of the `plumb` binary. Everything else lives in run.ts (importable by tests).
import { main } from "./run.js";

// A reader that stops early (`plumb keys list | head -1`) closes the pipe: further writes fail
// with EPIPE. That is not an error of the command, which finishes its work (an apply must not stop
// half-way because its output is no longer read); the unread output is dropped, no stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") return;
    if (stream === process.stdout)
      process.stderr.write(`plumb: cannot write output: ${e.message}\n`);
    process.exitCode = 1;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`plumb: fatal: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
