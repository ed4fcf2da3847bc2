// How plumb reaches a contract target: one interface for Incus instances (REST API exec and file
// push) and plain servers (the system OpenSSH client). Delivery, bootstrap and the server state
// reader speak only this (docs/delivery.md).

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Kills the command (and reports a timeout) after this many milliseconds. */
  readonly timeoutMs?: number;
}

export interface PutOptions {
  /**
   * The file is new, in a root-only directory this run just created (a bundle's run directory):
   * no reader can see it half-written, so a transport may skip the temporary name and rename.
   */
  readonly fresh?: boolean;
}

export interface TargetTransport {
  /** The infra machine name this transport reaches. */
  readonly machine: string;
  readonly kind: "instance" | "server";
  /** Writes a file as root (parent directories created, mode like "0644"), atomically on the target. */
  put(path: string, bytes: Uint8Array, mode: string, opts?: PutOptions): Promise<void>;
  /**
   * Creates one directory as root with this mode; its parent must exist. Optional: a transport
   * that can do it without running a command (the Incus file API) saves a round trip per
   * delivery; without it, delivery runs `mkdir`.
   */
  makeDir?(path: string, mode: string): Promise<void>;
  /** Runs argv without a local shell (over SSH each word is quoted by core/shell/quote.ts). */
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /**
   * Runs argv with extra environment variables, which only the command's own user can read
   * (never in a command line). Optional: delivery then carries a small bundle in one call.
   */
  runEnv?(
    argv: readonly string[],
    env: Readonly<Record<string, string>>,
    opts?: RunOptions,
  ): Promise<RunResult>;
  /** Releases the connection (SSH control master, …). Safe to call twice. */
  close(): Promise<void>;
}
