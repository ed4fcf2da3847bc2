// The CLI: parses the command line against the command table, runs the command,
// and is the single error boundary that turns errors into exit codes (stack traces only with --debug).
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ExitCode, PlumbError, UsageError } from "../core/errors.js";
import { findRoot } from "../core/io/find-root.js";
import { type Output, terminalOutput } from "../core/output/output.js";
import { didYouMean } from "../core/suggest.js";
import { COMMANDS, findCommand, GLOBAL_OPTIONS } from "./commands.js";
import { commandHelp, mainHelp } from "./help.js";
import type { CommandContext, GlobalOptions, OptionSpec } from "./spec.js";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function toParseArgs(options: Readonly<Record<string, OptionSpec>>) {
  const out: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> =
    {};
  for (const [name, o] of Object.entries(options)) {
    out[name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  return out;
}

/** The command is the first token that is neither an option nor the value of a global option. */
function splitCommand(argv: readonly string[]): { name: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--") break;
    if (a.startsWith("-")) {
      const name = a.replace(/^--?/, "").split("=")[0] ?? "";
      const spec = GLOBAL_OPTIONS[name];
      if (spec?.type === "string" && !a.includes("=")) i++;
      continue;
    }
    return { name: a, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { name: undefined, rest: [...argv] };
}

/** Older Node releases lack what plumb's libraries use (e.g. Set methods): say so, plainly. */
export function requireSupportedNode(version: string): void {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) return;
  throw new PlumbError("PLB093", `plumb needs Node.js ≥ 22.12; this is Node.js ${version}`, {
    hint: "run `. scripts/dev-env.sh` in the repository (installs the pinned release), or put Node ≥ 22.12 first on PATH",
  });
}

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const early = {
    json: argv.includes("--json"),
    color: !argv.includes("--no-color"),
    debug: argv.includes("--debug"),
  };
  let output = terminalOutput(early, env);
  try {
    requireSupportedNode(process.versions.node);
    const { name, rest } = splitCommand(argv);
    if (name === "help") {
      const target = rest.find((a) => !a.startsWith("-"));
      const spec = target ? findCommand(target) : undefined;
      output.out(spec ? commandHelp(spec, output.style) : mainHelp(version(), output.style));
      return ExitCode.ok;
    }
    const spec = name === undefined ? undefined : findCommand(name);
    if (name !== undefined && spec === undefined) {
      throw new UsageError(
        `unknown command '${name}'`,
        didYouMean(
          name,
          COMMANDS.map((c) => c.name),
        ) ?? "run `plumb --help` for the list of commands",
      );
    }
    const options = { ...GLOBAL_OPTIONS, ...(spec?.options ?? {}) };
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: rest,
        options: toParseArgs(options),
        allowPositionals: true,
        strict: true,
      });
    } catch (e) {
      throw new UsageError(
        (e as Error).message.replace(/\. To specify a positional.*$/s, ""),
        spec ? `run \`plumb ${spec.name} --help\`` : "run `plumb --help`",
      );
    }
    const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
    if (values.version) {
      output.out(version());
      return ExitCode.ok;
    }
    if (spec === undefined || values.help) {
      output.out(spec ? commandHelp(spec, output.style) : mainHelp(version(), output.style));
      return spec === undefined && !values.help ? ExitCode.error : ExitCode.ok;
    }
    const globals: GlobalOptions = {
      root: values.root as string | undefined,
      json: values.json === true,
      color: values["no-color"] !== true,
      debug: values.debug === true,
    };
    output = terminalOutput({ json: globals.json, color: globals.color }, env);
    for (const [k, o] of Object.entries(spec.options)) {
      const v = values[k];
      if (o.choices && typeof v === "string" && !o.choices.includes(v)) {
        throw new UsageError(`--${k} must be one of ${o.choices.join(", ")} (got '${v}')`);
      }
      if (v === undefined && o.default !== undefined) values[k] = o.default;
    }
    const { min, max } = spec.positionals ?? { min: 0, max: 0 };
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new UsageError(
        `plumb ${spec.name} takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${parsed.positionals.length}`,
        `usage: ${spec.usage}`,
      );
    }
    const ctx: CommandContext = {
      output,
      globals,
      cwd: process.cwd(),
      env,
      repoRoot: () => resolveRoot(globals.root),
    };
    const mod = await spec.load();
    return await mod.run(ctx, values, parsed.positionals);
  } catch (e) {
    return reportError(e, output, early.debug, argv);
  }
}

function resolveRoot(explicit: string | undefined): string {
  if (explicit !== undefined) {
    const dir = resolve(explicit);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new PlumbError("PLB001", `--root ${explicit}: not a directory`);
    }
    return dir;
  }
  const found = findRoot(process.cwd());
  if (found === undefined) {
    throw new PlumbError(
      "PLB001",
      `no infra/ or infra.yml in ${process.cwd()} or any parent directory`,
      {
        hint: "run inside the repository, or pass --root <dir>",
      },
    );
  }
  return found;
}

/**
 * A file-system error that escaped a command (a directory given where a file is expected, a
 * missing or unreadable path) is the user's to fix, not a bug: PLB015 with the path and a hint.
 */
export function fromSystemError(e: unknown, argv: readonly string[] = []): PlumbError | undefined {
  if (!(e instanceof Error)) return undefined;
  const { code, syscall } = e as NodeJS.ErrnoException;
  let path = (e as NodeJS.ErrnoException).path;
  if (typeof path !== "string" && code === "EISDIR") {
    // Reading a directory fails on the descriptor, so Node's error names no path: name the
    // command-line arguments that are directories.
    const dirs = argv.filter((a) => !a.startsWith("-") && isDirectory(a));
    path = dirs.length > 0 ? dirs.join(", ") : "a path given";
  }
  if (typeof path !== "string") return undefined;
  const what: Record<string, [string, string]> = {
    EISDIR: ["is a directory where a file is expected", "give the path of a file"],
    ENOTDIR: ["is not a directory (a part of the path is a file)", "check the path"],
    ENOENT: ["does not exist", "check the path (relative paths start at the current directory)"],
    EACCES: ["is not accessible (permission denied)", "check its permissions, or run as its owner"],
    EPERM: ["is not accessible (operation not permitted)", "check its permissions"],
    ELOOP: ["has too many symbolic links", "check the symbolic links on the path"],
    ENAMETOOLONG: ["is too long a path", "use a shorter path"],
  };
  const known = code === undefined ? undefined : what[code];
  if (known === undefined) return undefined;
  const verb = syscall === undefined ? "use" : syscall.replace(/^(open|read|scandir)$/, "read");
  return new PlumbError("PLB015", `cannot ${verb} ${path}: it ${known[0]}`, {
    hint: known[1],
    cause: e,
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function reportError(
  e: unknown,
  output: Output,
  debug: boolean,
  argv: readonly string[] = [],
): number {
  const s = output.style;
  const known = e instanceof PlumbError ? e : fromSystemError(e, argv);
  const code = known?.code ?? "PLB999";
  const message = known
    ? known.message
    : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
  const hint = known
    ? known.hint
    : "this is a bug in plumbline; run again with --debug and report the stack trace";
  if (output.json) {
    output.writeJson({
      version: 1,
      ok: false,
      error: { code, message, ...(hint ? { hint } : {}) },
    });
  } else {
    output.err(`${s.red(s.bold(`error[${code}]`))}${s.bold(`: ${message}`)}`);
    if (hint) output.err(`  ${s.cyan("=")} ${s.bold("hint")}: ${hint}`);
  }
  if (debug && e instanceof Error && e.stack) output.err(s.dim(e.stack));
  return known?.exitCode ?? ExitCode.error;
}
