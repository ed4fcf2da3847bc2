// What a plan needs for `contracts:`: the templates that pass the gatekeeper's manifest, assets
// and hash stages (no linters: `plumb validate` runs those) with the loaded catalog, and the
// server state reader (reconcilers/delivery/ssh/state.ts).
import { readTemplates } from "../core/io/read-templates.js";
import type { Estate } from "../core/model/estate.js";
import type { TemplateSource } from "../generators/contract/hfc.js";
import { serverStateReaderFor } from "../reconcilers/delivery/ssh/state.js";
import {
  type ContractTemplateSet,
  estateHasContracts,
  type ServerStateReader,
} from "../reconcilers/plan/contracts.js";
import { checkCatalog } from "../validators/templates/catalog.js";
import { checkTemplates } from "../validators/templates/gatekeeper.js";
import { parseLock } from "../validators/templates/tree-hash.js";

const noLint = {
  bashSyntax: () => Promise.reject(new Error("linters do not run while planning")),
  shellcheck: () => Promise.reject(new Error("linters do not run while planning")),
};

export async function loadContractTemplates(root: string): Promise<ContractTemplateSet> {
  const read = readTemplates(root);
  const parsed = read.lock === undefined ? undefined : parseLock(read.lock);
  const lock = typeof parsed === "string" ? undefined : parsed;
  // Fail closed: an action or template not matching the lock loads nothing.
  const catalog = checkCatalog(read.actions, lock, read.lockPath, true);
  const checked = await checkTemplates(
    read.folders,
    read.lock,
    read.lockPath,
    noLint,
    ["manifest", "assets", "hash"],
    catalog.actions,
  );
  const templates = new Map<string, TemplateSource>(
    checked.templates.map((t) => [t.manifest.slug, t]),
  );
  return { templates, actionHashes: lock?.actions ?? {} };
}

/** Reads each server's recorded contract hashes over SSH (reconcilers/delivery/ssh/state.ts). */
export function serverStateReader(
  root: string,
  env: Readonly<Record<string, string | undefined>>,
): ServerStateReader {
  return serverStateReaderFor(root, env);
}

/** The contract inputs of makePlan, or undefined when no machine declares a contract. */
export async function contractsForPlan(
  root: string,
  estate: Estate,
  noTargets: boolean,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<
  { templates: ContractTemplateSet; readServer: ServerStateReader | undefined } | undefined
> {
  if (!estateHasContracts(estate)) return undefined;
  const needServers = !noTargets && estate.machines.some((m) => m.server && m.contracts.length);
  return {
    templates: await loadContractTemplates(root),
    readServer: needServers ? serverStateReader(root, env) : undefined,
  };
}
