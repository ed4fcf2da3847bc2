// Shared by `plumb templates …`, `plumb contract …` and `plumb validate`: read templates/ and
// run the gatekeeper.
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
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

/** templates/actions/*.yml as bytes: regular files only (a symlink or folder is ignored). */
export function readActionFiles(root: string): ActionFile[] {
  const dir = join(root, "templates", "actions");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith(".yml") && lstatSync(join(dir, n)).isFile())
    .sort()
    .map((n) => ({
      name: n.slice(0, -4),
      file: `templates/actions/${n}`,
      bytes: readFileSync(join(dir, n)),
    }));
}

export async function checkRepoTemplates(
  root: string,
  stages: readonly Stage[] = STAGES,
): Promise<TemplatesChecked> {
  const read = readTemplates(root);
  const lock = read.lock === undefined ? undefined : parseLock(read.lock);
  // The catalog loads first (fail closed: an action not in the lock loads nothing).
  const catalog = checkCatalog(
    readActionFiles(root),
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
