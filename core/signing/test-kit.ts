// Test-only helpers: a hermetic temp HOME and the real ssh-keygen / ssh-agent as oracles.
// Imported by the *.test.ts files of this folder, never by library code.
import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface Sandbox {
  readonly dir: string;
  /** Environment for child processes: HOME inside the sandbox, no inherited agent. */
  readonly env: NodeJS.ProcessEnv;
  path(name: string): string;
  write(name: string, content: string | Uint8Array, mode?: number): string;
  read(name: string): Buffer;
  remove(): void;
}

export function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "plumb-signing-"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    LC_ALL: "C",
  };
  return {
    dir,
    env,
    path: (name) => join(dir, name),
    write(name, content, mode = 0o600) {
      const p = join(dir, name);
      writeFileSync(p, content, { mode });
      return p;
    },
    read: (name) => readFileSync(join(dir, name)),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(
  box: Sandbox,
  command: string,
  args: readonly string[],
  input: string | Uint8Array = "",
  env: NodeJS.ProcessEnv = {},
): RunResult {
  // stdin comes from a file, not a pipe: ssh-keygen often exits before reading the message
  // (bad armor), and writing into a closed pipe would fail the test with EPIPE.
  const stdinPath = box.write(`stdin.${++stdinCounter}`, input, 0o600);
  const stdin = openSync(stdinPath, "r");
  try {
    const r = spawnSync(command, args, {
      cwd: box.dir,
      env: { ...box.env, ...env },
      stdio: [stdin, "pipe", "pipe"],
      encoding: "buffer",
      timeout: 20_000,
    });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  } finally {
    closeSync(stdin);
    rmSync(stdinPath, { force: true });
  }
}
let stdinCounter = 0;

/** `ssh-keygen -t ed25519 -N ''` into the sandbox; returns the private key path. */
export function sshKeygenKey(box: Sandbox, name: string, comment = `${name}@test`): string {
  const r = run(box, "ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", name]);
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  return box.path(name);
}

/** `ssh-keygen -Y sign` of `message` read from stdin; returns the armored signature. */
export function sshKeygenSign(
  box: Sandbox,
  key: string,
  namespace: string,
  message: Uint8Array,
  extra: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): string {
  const r = run(
    box,
    "ssh-keygen",
    ["-Y", "sign", "-f", key, "-n", namespace, ...extra],
    message,
    env,
  );
  if (r.status !== 0) throw new Error(`ssh-keygen -Y sign failed: ${r.stderr}`);
  return r.stdout;
}

/** `ssh-keygen -Y verify`; returns the exit status and stderr (the oracle's verdict). */
export function sshKeygenVerify(
  box: Sandbox,
  opts: {
    readonly allowedSigners: string;
    readonly principal: string;
    readonly namespace: string;
    readonly signature: string | Uint8Array;
    readonly message: Uint8Array;
    readonly extra?: readonly string[];
  },
): RunResult {
  const signers = box.write("allowed_signers.verify", opts.allowedSigners, 0o644);
  const sig = box.write("message.sig.verify", opts.signature, 0o644);
  const args = ["-Y", "verify", "-f", signers, "-I", opts.principal, "-n", opts.namespace];
  return run(box, "ssh-keygen", [...args, "-s", sig, ...(opts.extra ?? [])], opts.message);
}

export interface Agent {
  readonly socket: string;
  stop(): Promise<void>;
}

/** Starts `ssh-agent -D -a <socket>` as our own child and waits for the socket. */
export async function startAgent(box: Sandbox): Promise<Agent> {
  const socket = box.path("agent.sock");
  const child = spawn("ssh-agent", ["-D", "-a", socket], { env: box.env, stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(20);
  if (!existsSync(socket)) {
    child.kill();
    throw new Error("ssh-agent did not create its socket");
  }
  return {
    socket,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
