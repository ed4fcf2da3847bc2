// Test kit: a TargetTransport onto this machine (real sh, real files), for unit tests of code
// that speaks only the transport (bootstrap). It records every call so a test can assert what was
// written and how many round trips were made. Tests point the target layout at a scratch directory.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { exec } from "../../core/exec/exec.js";
import type {
  RunOptions,
  RunResult,
  TargetTransport,
} from "../../reconcilers/delivery/transport.js";

export class LocalTransport implements TargetTransport {
  readonly kind = "server" as const;
  readonly puts: string[] = [];
  readonly runs: (readonly string[])[] = [];
  constructor(readonly machine = "local-test") {}

  async put(path: string, bytes: Uint8Array, mode: string): Promise<void> {
    this.puts.push(path);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, bytes, { mode: Number.parseInt(mode, 8) });
    renameSync(tmp, path);
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    this.runs.push(argv);
    const [file, ...args] = argv;
    const r = await exec(file as string, args, {
      reject: false,
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    });
    return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  }

  async close(): Promise<void> {}
}
