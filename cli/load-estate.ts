// Shared by every command that starts from the infra: read → load → validate.
import { type LockFile, readAddressLock } from "../core/io/address-lock-file.js";
import { readInfraInput } from "../core/io/read-infra.js";
import { type LoadedInfra, loadInfra } from "../core/source/infra-source.js";
import { type ValidationResult, validateInfra } from "../validators/validate.js";
import type { CommandContext } from "./spec.js";

export interface LoadedEstate {
  readonly root: string;
  readonly loaded: LoadedInfra;
  readonly result: ValidationResult;
  /** addresses.lock.yml: the recorded address allocations (sticky addressing). */
  readonly addressLock: LockFile;
}

export function loadAndValidate(
  ctx: CommandContext,
  options: { infra?: string | undefined; strict?: boolean; allowUnknownKeys?: boolean },
): LoadedEstate {
  const root = ctx.repoRoot();
  const input = readInfraInput(root, options.infra);
  const loaded = loadInfra(input);
  const addressLock = readAddressLock(root, input);
  const result = validateInfra(loaded, {
    strict: options.strict === true,
    allowUnknownKeys: options.allowUnknownKeys === true,
    addressLock,
  });
  return { root, loaded, result, addressLock };
}
