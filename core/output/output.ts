// The output host: every user-facing byte goes through it, never console.* from library code.
import { liveProgressWanted, Progress } from "./progress.js";

// Terminal host for people (colour unless NO_COLOR / --no-color / not a TTY), a capture host for
// tests. JSON output is a mode of the same host: commands call `json()` once with their result.

export interface Styler {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

export interface Output {
  readonly style: Styler;
  readonly json: boolean;
  readonly isTTY: boolean;
  /** A line (or lines) of results on stdout. */
  out(text: string): void;
  /** Progress, warnings and errors on stderr. */
  err(text: string): void;
  /** The machine-readable result of a command, on stdout. */
  writeJson(value: unknown): void;
  /** Progress of long work on stderr: live on a terminal, plain lines otherwise (progress.ts). */
  progress(options: { readonly total: number; readonly verb: string }): Progress;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const COLORS: Styler = {
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  green: wrap(32, 39),
  cyan: wrap(36, 39),
  bold: wrap(1, 22),
  dim: wrap(2, 22),
};
const id = (s: string) => s;
const PLAIN: Styler = { red: id, yellow: id, green: id, cyan: id, bold: id, dim: id };

export function styler(color: boolean): Styler {
  return color ? COLORS : PLAIN;
}

export interface TerminalOptions {
  readonly json: boolean;
  /** false when --no-color was given. */
  readonly color: boolean;
}

export function terminalOutput(
  options: TerminalOptions,
  env: NodeJS.ProcessEnv = process.env,
): Output {
  const isTTY = Boolean(process.stdout.isTTY);
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  const color = options.color && !noColor && (isTTY || env.FORCE_COLOR === "1");
  return {
    style: styler(color),
    json: options.json,
    isTTY,
    out: (text) => void process.stdout.write(`${text}\n`),
    err: (text) => void process.stderr.write(`${text}\n`),
    writeJson: (value) => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    progress: (o) =>
      new Progress(process.stderr, {
        ...o,
        live: !options.json && liveProgressWanted(process.stderr, env),
      }),
  };
}

/** Collects output in memory (tests). */
export function captureOutput(
  options: { json?: boolean } = {},
): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    style: PLAIN,
    json: options.json ?? false,
    isTTY: false,
    stdout,
    stderr,
    out: (t) => void stdout.push(t),
    err: (t) => void stderr.push(t),
    writeJson: (v) => void stdout.push(JSON.stringify(v, null, 2)),
    progress: (o) =>
      new Progress(
        { write: (t) => void stderr.push(...t.split("\n").filter((l) => l !== "")) },
        { ...o, live: false, plainEveryMs: 0 },
      ),
  };
}
