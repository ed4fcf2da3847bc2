// Finds the repository root and reads the infra input (one file or the infra/ directory).
// The only file-system code of the load path; everything after it takes content.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { PlumbError } from "../errors.js";
import type { InfraFile, InfraInput } from "../source/infra-source.js";
import { MAX_FILE_BYTES } from "../source/yaml-source.js";
import { isDirectory } from "./find-root.js";

/**
 * Reads the infra input under `root`, or at `explicit` (a file or a directory) when given.
 * Precedence without `explicit`: `infra/base.yml` (directory mode), else `infra.yml`; both → PLB012.
 */
export function readInfraInput(root: string, explicit?: string): InfraInput {
  const show = (p: string) => relative(root, p) || p;
  let target: string;
  if (explicit !== undefined) {
    target = resolve(root, explicit);
    if (!existsSync(target)) {
      throw new PlumbError("PLB001", `${explicit}: no such file or directory`, {
        hint: "pass an infra.yml file or an infra/ directory",
      });
    }
  } else {
    const dir = join(root, "infra");
    const file = join(root, "infra.yml");
    const hasDir = existsSync(join(dir, "base.yml"));
    const hasFile = existsSync(file);
    if (hasDir && hasFile) {
      throw new PlumbError(
        "PLB012",
        `both ${show(file)} and ${show(join(dir, "base.yml"))} exist`,
        {
          hint: "remove one, or choose with --infra infra.yml / --infra infra",
        },
      );
    }
    if (hasFile) target = file;
    else if (isDirectory(dir)) target = dir;
    else {
      throw new PlumbError("PLB001", `no infra.yml or infra/ directory in ${root}`, {
        hint: "run inside the repository, or pass --root <dir> / --infra <path>",
      });
    }
  }
  if (!isDirectory(target)) return { mode: "file", file: readInfraFile(target, show(target)) };
  const base = join(target, "base.yml");
  const domainsDir = join(target, "domains");
  const policies = join(target, "policies.yml");
  const domainFiles = isDirectory(domainsDir)
    ? readdirSync(domainsDir)
        .filter((n) => n.endsWith(".yml") || n.endsWith(".yaml"))
        .sort()
        .map((n) => readInfraFile(join(domainsDir, n), show(join(domainsDir, n))))
    : [];
  return {
    mode: "dir",
    dir: show(target),
    base: existsSync(base) ? readInfraFile(base, show(base)) : undefined,
    domains: domainFiles,
    policies: existsSync(policies) ? readInfraFile(policies, show(policies)) : undefined,
  };
}

function readInfraFile(path: string, display: string): InfraFile {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error("not a regular file");
    size = st.size;
  } catch (cause) {
    throw new PlumbError("PLB002", `${display}: cannot read (${(cause as Error).message})`, {
      cause,
    });
  }
  if (size > MAX_FILE_BYTES) {
    // Hand the parser an oversized marker rather than reading gigabytes into memory.
    return { path: display, content: new Uint8Array(0), size };
  }
  try {
    return { path: display, content: readFileSync(path) };
  } catch (cause) {
    throw new PlumbError("PLB002", `${display}: cannot read (${(cause as Error).message})`, {
      cause,
    });
  }
}
