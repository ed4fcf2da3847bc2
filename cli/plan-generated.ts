// The generated Ansible files a plan lists: render the estate's tree and compare it with the
// files in the repository, exactly as `plumb generate --check` does (planWrites). A repository
// that keeps no generated tree (none of inventory/, group_vars/, host_vars/) lists none.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readGeneratedTree } from "../core/io/generated-tree.js";
import type { Estate } from "../core/model/estate.js";
import { planWrites } from "../generators/ansible/plan-writes.js";
import { GENERATED_DIRS, renderAnsibleTree } from "../generators/ansible/render.js";
import { fileChangesOf, type PlanFileChange } from "../reconcilers/plan/plan-files.js";

export function generatedFileChanges(root: string, estate: Estate): PlanFileChange[] {
  if (!GENERATED_DIRS.some((d) => existsSync(join(root, d)))) return [];
  const tree = renderAnsibleTree(estate);
  return fileChangesOf(planWrites(tree, readGeneratedTree(root).files));
}
