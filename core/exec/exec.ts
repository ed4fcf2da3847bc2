// The one way plumb runs another program: execa, never a shell, always a timeout, and failures as
// PlumbErrors (PLB090 not installed, PLB091 failed with the tail of stderr, PLB092 timed out).
// Callers that treat a non-zero exit as an answer (`git rev-parse --verify`, `shellcheck` finding
// problems) pass `reject: false` and read `exitCode`.
import { execa } from "execa";
import { PlumbError } from "../errors.js";

export interface ExecOptions {
  readonly cwd?: string;
  /** Environment added to (or, with extendEnv: false, replacing) the current one. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly extendEnv?: boolean;
  /** Bytes or text written to the program's standard input (closed after). */
  readonly input?: string | Uint8Array;
  /** Milliseconds before the program is killed (default 60 s). */
  readonly timeoutMs?: number;
  /** false: a non-zero exit is returned, not thrown. Not found and time-outs still throw. */
  readonly reject?: boolean;
  /** Raw bytes on stdout instead of text. */
  readonly binary?: boolean;
  /** Installation hint for PLB090 (e.g. `apt-get install -y shellcheck`). */
  readonly installHint?: string;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stdoutBytes: Uint8Array;
  readonly stderr: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const STDERR_TAIL_LINES = 8;

/** The last few non-empty lines of a program's stderr, for error messages. */
export function stderrTail(stderr: string, lines = STDERR_TAIL_LINES): string {
  return stderr.trimEnd().split("\n").slice(-lines).join("\n");
}

export async function exec(
  file: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const r = await execa(file, [...args], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
    extendEnv: options.extendEnv ?? true,
    ...(options.input === undefined ? { stdin: "ignore" } : { input: options.input }),
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    reject: false,
    stripFinalNewline: false,
    encoding: options.binary ? "buffer" : "utf8",
    shell: false,
  });
  const cmd = [file, ...args].join(" ");
  if (r.timedOut) {
    throw new PlumbError(
      "PLB092",
      `${file} did not finish within ${(options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000}s`,
      {
        cause: r,
      },
    );
  }
  const code = (r as { code?: string }).code;
  if (code === "ENOENT" || (r.exitCode === undefined && /ENOENT/.test(String(r.message)))) {
    throw new PlumbError("PLB090", `${file} is not installed (not found on PATH)`, {
      hint: options.installHint ?? `install ${file}, then retry`,
    });
  }
  const stdoutBytes =
    r.stdout instanceof Uint8Array ? r.stdout : new TextEncoder().encode(String(r.stdout ?? ""));
  const stdout =
    r.stdout instanceof Uint8Array ? new TextDecoder().decode(r.stdout) : String(r.stdout ?? "");
  const stderr =
    r.stderr instanceof Uint8Array ? new TextDecoder().decode(r.stderr) : String(r.stderr ?? "");
  const exitCode = r.exitCode ?? 1;
  if (exitCode !== 0 && options.reject !== false) {
    const tail = stderrTail(stderr);
    throw new PlumbError(
      "PLB091",
      `${cmd.slice(0, 200)} exited with ${exitCode}${tail ? `:\n${tail}` : ""}`,
    );
  }
  return { exitCode, stdout, stdoutBytes, stderr };
}
