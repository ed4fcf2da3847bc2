// Shared by `plumb templates …`, `plumb contract …` and `plumb validate`: read templates/ and
// run the gatekeeper.
import { repoLintDriver } from "../core/io/lint-cache.js";
import { systemLintDriver } from "../core/io/lint-driver.js";
import { readTemplates } from "../core/io/read-templates.js";
import {
  checkTemplates,
  type GatekeeperResult,
  STAGES,
  type Stage,
} from "../validators/templates/gatekeeper.js";

export interface TemplatesChecked extends GatekeeperResult {
  readonly count: number;
  readonly lockPath: string;
}

export async function checkRepoTemplates(
  root: string,
  stages: readonly Stage[] = STAGES,
): Promise<TemplatesChecked> {
  const read = readTemplates(root);
  const result = await checkTemplates(
    read.folders,
    read.lock,
    read.lockPath,
    repoLintDriver(root, systemLintDriver),
    stages,
  );
  return { ...result, count: read.folders.length, lockPath: read.lockPath };
}
