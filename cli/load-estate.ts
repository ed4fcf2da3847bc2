// Shared by every command that starts from the infra: read → load → validate.
import { readInfraInput } from "../core/io/read-infra.js";
import { type LoadedInfra, loadInfra } from "../core/source/infra-source.js";
import { type ValidationResult, validateInfra } from "../validators/validate.js";
import type { CommandContext } from "./spec.js";

export interface LoadedEstate {
  readonly root: string;
  readonly loaded: LoadedInfra;
  readonly result: ValidationResult;
}

export function loadAndValidate(
  ctx: CommandContext,
  options: { infra?: string | undefined; strict?: boolean; allowUnknownKeys?: boolean },
): LoadedEstate {
  const root = ctx.repoRoot();
  const input = readInfraInput(root, options.infra);
  const loaded = loadInfra(input);
  const result = validateInfra(loaded, {
    strict: options.strict === true,
    allowUnknownKeys: options.allowUnknownKeys === true,
  });
  return { root, loaded, result };
}
