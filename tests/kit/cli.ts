// Runs the built CLI (dist/cli/main.js) as a child process, the way end-to-end tests see plumb:
// exit code, stdout and stderr, NO_COLOR set. The asynchronous form is for tests whose fake Incus
// answers from the test process itself while the CLI runs.
import { execFile, spawnSync } from "node:child_process";
import { join } from "node:path";

export const PLUMB_BIN = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  /** Added to the test process's environment (and NO_COLOR=1). */
  readonly env?: NodeJS.ProcessEnv;
}

const childEnv = (env: NodeJS.ProcessEnv = {}) => ({ ...process.env, NO_COLOR: "1", ...env });

export function runPlumbSync(args: readonly string[], o: RunOptions): Ran {
  const r = spawnSync(process.execPath, [PLUMB_BIN, ...args], {
    cwd: o.cwd,
    encoding: "utf8",
    env: childEnv(o.env),
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export function runPlumb(args: readonly string[], o: RunOptions): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [PLUMB_BIN, ...args],
      { cwd: o.cwd, env: childEnv(o.env) },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The site settings the fake-Incus suites use: its socket, the busybox image, no bridge addresses. */
export function fakeIncusEnv(socketPath: string): NodeJS.ProcessEnv {
  return {
    INCUS_SOCKET: socketPath,
    PLUMB_BRIDGE_ADDRESSES: "none",
    PLUMB_IMAGE_MAP: "images:debian/13=plumb-busybox",
  };
}
