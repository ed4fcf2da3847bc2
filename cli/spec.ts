// Shapes of the declarative command table (cli/commands.ts).
import type { Output } from "../core/output/output.js";

export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly description: string;
  /** Shown in help as `--name <valueName>`. */
  readonly valueName?: string;
  readonly choices?: readonly string[];
  readonly default?: string | boolean;
  readonly multiple?: boolean;
}

export type ParsedValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

export interface GlobalOptions {
  readonly root: string | undefined;
  readonly json: boolean;
  readonly color: boolean;
  readonly debug: boolean;
}

export interface CommandContext {
  readonly output: Output;
  readonly globals: GlobalOptions;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The repository root: --root, or the nearest ancestor with infra/ or infra.yml. */
  repoRoot(): string;
}

export interface CommandModule {
  run(ctx: CommandContext, values: ParsedValues, positionals: readonly string[]): Promise<number>;
}

export interface CommandSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly summary: string;
  readonly description?: string;
  readonly usage: string;
  readonly positionals?: { readonly min: number; readonly max: number };
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples: readonly (readonly [command: string, explanation: string])[];
  /** Loaded lazily so `plumb --version` does not import ajv, yaml, … */
  readonly load: () => Promise<CommandModule>;
}
