// What a plan needs for `contracts:`: the templates that pass the gatekeeper's manifest, assets
// and hash stages (no linters: `plumb validate` runs those) with the loaded catalog, and the
// server state reader (reconcilers/delivery/ssh/state.ts, loaded only when a server is read).
import { join } from "node:path";
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

/** Servers read at once while planning (each is one short ssh call). */
const SERVER_READS = 8;

/**
 * Reads servers with the ssh transport (reconcilers/delivery/ssh/state.ts): `.plumb/ssh` holds
 * the pinned known_hosts and control sockets; at most SERVER_READS at once.
 */
/** Reads each server's recorded contract hashes over SSH (reconcilers/delivery/ssh/state.ts). */
export function serverStateReader(
  root: string,
  env: Readonly<Record<string, string | undefined>>,
): ServerStateReader {
  const waiting: (() => void)[] = [];
  let running = 0;
  const slot = async () => {
    if (running >= SERVER_READS) await new Promise<void>((go) => waiting.push(go));
    running++;
  };
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return async (m: EstateMachine) => {
    await slot();
    try {
      const { readServerContractState } = await import("../reconcilers/delivery/ssh/state.js");
      return await readServerContractState(m.name, m.declared, {
        sshDir: join(root, ".plumb", "ssh"),
        env,
      });
    } finally {
      release();
    }
  };
  return serverStateReaderFor(root, env);
}

/** The contract inputs of makePlan, or undefined when no machine declares a contract. */
export async function contractsForPlan(
  root: string,
  estate: Estate,
  noTargets: boolean,
  env: Readonly<Record<string, string | undefined>>,
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
