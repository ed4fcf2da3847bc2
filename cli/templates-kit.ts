// Shared by `plumb templates …`, `plumb contract …` and `plumb validate`: read templates/ and
// run the gatekeeper.
import { repoLintDriver } from "../core/io/lint-cache.js";
import { systemLintDriver } from "../core/io/lint-driver.js";
import { readTemplates } from "../core/io/read-templates.js";
import {
  type ActionFile,
  type CatalogResult,
  checkCatalog,
} from "../validators/templates/catalog.js";
import {
  checkTemplates,
  type GatekeeperResult,
  STAGES,
  type Stage,
} from "../validators/templates/gatekeeper.js";
import { parseLock } from "../validators/templates/tree-hash.js";

export interface TemplatesChecked extends GatekeeperResult {
  readonly catalog: CatalogResult;
  readonly count: number;
  readonly lockPath: string;
}

/** templates/actions/*.yml as bytes (see core/io/read-templates.ts). */
export function readActionFiles(root: string): readonly ActionFile[] {
  return readTemplates(root).actions;
}

export async function checkRepoTemplates(
  root: string,
  stages: readonly Stage[] = STAGES,
): Promise<TemplatesChecked> {
  const read = readTemplates(root);
  const lock = read.lock === undefined ? undefined : parseLock(read.lock);
  // The catalog loads first (fail closed: an action not in the lock loads nothing).
  const catalog = checkCatalog(
    read.actions,
    typeof lock === "string" ? undefined : lock,
    read.lockPath,
    stages.includes("hash"),
  );
  const result = await checkTemplates(
    read.folders,
    read.lock,
    read.lockPath,
    repoLintDriver(root, systemLintDriver),
    stages,
    catalog.actions,
  );
  for (const [k, v] of catalog.sources) result.sources.set(k, v);
  return {
    ...result,
    diagnostics: [...catalog.diagnostics, ...result.diagnostics],
    catalog,
    count: read.folders.length,
    lockPath: read.lockPath,
  };
}
