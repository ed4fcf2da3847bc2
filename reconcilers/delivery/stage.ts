// Getting one signed bundle onto a target and handing it to plumb-verify, in as few calls as the
// transport allows (docs/delivery.md, "What one delivery costs"):
//   - a transport that can pass environment variables to a command (Incus exec) carries the
//     bundle's files in the environment of one `sh` that writes them into a fresh 0700 directory
//     and execs the verifier: one call, no file API. Environment values are readable only by the
//     process's own user (root) and never appear in a command line; the verifier re-executes
//     itself with an empty environment first thing.
//   - otherwise (SSH, or a bundle that does not fit: binary, over 64 KiB a file) the files are
//     written with the transport's put into a fresh directory, then the verifier runs.
// With a trust gate (reconcilers/delivery/bootstrap.ts trustGate) the same call first checks the
// target is in the bootstrap state; when it is not, nothing is staged or run and the result says
// `stale`.
import { randomBytes } from "node:crypto";
import { shq } from "../../core/shell/quote.js";
import { GATE_STALE } from "./bootstrap.js";
import type { SignedBundle } from "./bundle.js";
import type { RunResult, TargetTransport } from "./transport.js";

export const TRUST_DIR = "/etc/plumb/trust";
export const STATE_FILE = "/var/lib/plumb/state";
export const RUN_DIR = "/var/lib/plumb/run";
export const TIMEOUT_EXIT = 124;
/** Exit status of the staging shell when it cannot write the bundle. */
export const STAGE_EXIT = 125;

/** Per file and in total: well under Linux's 128 KiB per string and 2 MiB for argv + env. */
const ENV_FILE_MAX = 64 * 1024;
const ENV_TOTAL_MAX = 256 * 1024;

export interface StageOptions {
  /** `--init-state`: the replay state is created on first use (bootstrap just installed it). */
  readonly init: boolean;
  /** A trust gate (sh) checked in the same call, before anything is staged. */
  readonly gate?: string;
  readonly timeoutMs: number;
}

export type StageResult =
  | { readonly stale: true }
  | { readonly stale: false; readonly run: RunResult; readonly dir: string };

/** A staging failure (the bundle could not be written): PLB777 for the caller. */
export class StageError extends Error {}

/** The bundle's files as environment values, or null when one is binary or too large. */
function asEnvironment(bundle: SignedBundle): Record<string, string> | null {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const env: Record<string, string> = {};
  let total = 0;
  for (const [i, f] of bundle.files.entries()) {
    if (f.bytes.length > ENV_FILE_MAX || f.bytes.includes(0)) return null;
    total += f.bytes.length;
    if (total > ENV_TOTAL_MAX) return null;
    try {
      env[`PLUMB_BUNDLE_${i}`] = decoder.decode(f.bytes);
    } catch {
      return null;
    }
  }
  return env;
}

function verifierArgv(machine: string, dir: string, init: boolean): string[] {
  return [
    "bash",
    `${TRUST_DIR}/plumb-verify`,
    "--trust",
    TRUST_DIR,
    "--state",
    STATE_FILE,
    "--target",
    machine,
    ...(init ? ["--init-state"] : []),
    // The bundle holds resolved secrets: it does not stay on the target. The verifier
    // removes it when it exits (its EXIT trap), so the usual run needs no call for that.
    "--consume",
    dir,
  ];
}

/** Stages the bundle in a fresh run directory and runs plumb-verify on it (see the header). */
export async function stageAndVerify(
  t: TargetTransport,
  bundle: SignedBundle,
  opts: StageOptions,
): Promise<StageResult> {
  const dir = `${RUN_DIR}/b.${randomBytes(8).toString("hex")}`;
  const verify = verifierArgv(t.machine, dir, opts.init);
  const gate = opts.gate ?? "";
  const env = t.runEnv ? asEnvironment(bundle) : null;
  let run: RunResult | undefined;
  let staged = false;
  try {
    if (env && t.runEnv) {
      const names = bundle.files.map((f) => f.name);
      const subdirs = [
        ...new Set(names.filter((n) => n.includes("/")).map((n) => n.split("/")[0])),
      ];
      const script = [
        gate,
        "umask 077",
        `mkdir -m 0700 -- "$1"${subdirs.map((d) => ` "$1"/${shq(d as string)}`).join("")} || exit ${STAGE_EXIT}`,
        ...names.map(
          (n, i) => `printf '%s' "$PLUMB_BUNDLE_${i}" > "$1"/${shq(n)} || exit ${STAGE_EXIT}`,
        ),
        `unset ${names.map((_, i) => `PLUMB_BUNDLE_${i}`).join(" ")}`,
        "shift",
        'exec "$@"',
      ].join("\n");
      staged = true;
      run = await t.runEnv(["sh", "-c", script, "plumb-deliver", dir, ...verify], env, {
        timeoutMs: opts.timeoutMs,
      });
    } else {
      try {
        if (t.makeDir) {
          // RUN_DIR exists: bootstrap made it, root-owned 0700 (plumb-verify checks it again).
          await t.makeDir(dir, "0700");
          await t.makeDir(`${dir}/signatures`, "0700");
        } else {
          const mk = await t.run([
            "mkdir",
            "-p",
            "-m",
            "0700",
            "--",
            RUN_DIR,
            dir,
            `${dir}/signatures`,
          ]);
          if (mk.code !== 0)
            throw new Error(`mkdir ${dir}: ${mk.stderr.trim() || `exit ${mk.code}`}`);
        }
        staged = true;
        // A fresh 0700 directory: nobody else can see a half-written file, so no rename per file.
        for (const f of bundle.files)
          await t.put(`${dir}/${f.name}`, f.bytes, "0600", { fresh: true });
      } catch (e) {
        throw new StageError((e as Error).message);
      }
      run = await t.run(
        gate ? ["sh", "-c", `${gate}exec "$@"`, "plumb-deliver", ...verify] : verify,
        { timeoutMs: opts.timeoutMs },
      );
    }
  } finally {
    // When the verifier did not answer (killed at the deadline, not started, transport error),
    // nothing says the bundle is gone: remove it here. A stale gate in the one-call form wrote
    // nothing.
    const answered = run !== undefined && /^PLUMB-VERIFY /m.test(run.stdout);
    const gateStopped =
      run !== undefined && !answered && run.stdout.split("\n").includes(GATE_STALE);
    if (staged && (!answered || run?.code === TIMEOUT_EXIT) && !(gateStopped && env))
      await t.run(["rm", "-rf", "--", dir]).catch(() => undefined);
  }
  if (!/^PLUMB-VERIFY /m.test(run.stdout) && run.stdout.split("\n").includes(GATE_STALE))
    return { stale: true };
  return { stale: false, run, dir };
}
