// Shared by every command that starts from the infra: read → load → validate.
import { type LockFile, readAddressLock } from "../core/io/address-lock-file.js";
import { readInfraInput } from "../core/io/read-infra.js";
import { readTemplates } from "../core/io/read-templates.js";
import { type LoadedInfra, loadInfra } from "../core/source/infra-source.js";
import { indexTemplates } from "../validators/contracts/template-index.js";
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
  // templates/ is read only when some machine declares contracts (most estates do not).
  const templates = declaresContracts(loaded.document ?? loaded.partial)
    ? indexTemplates(readTemplates(root))
    : undefined;
  const result = validateInfra(loaded, {
    strict: options.strict === true,
    allowUnknownKeys: options.allowUnknownKeys === true,
    addressLock,
    ...(templates ? { templates } : {}),
  });
  return { root, loaded, result, addressLock };
}

/** Whether any machine of the (maybe partial) document has a `contracts:` key. */
export function declaresContracts(doc: unknown): boolean {
  const domains = (doc as { domains?: unknown } | undefined)?.domains;
  if (domains === null || typeof domains !== "object") return false;
  return Object.values(domains as Record<string, unknown>).some((d) => {
    const machines = (d as { machines?: unknown } | null)?.machines;
    return (
      machines !== null &&
      typeof machines === "object" &&
      Object.values(machines as Record<string, unknown>).some(
        (m) => m !== null && typeof m === "object" && "contracts" in m,
      )
    );
  });
}
