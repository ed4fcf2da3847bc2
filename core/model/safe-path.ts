// Names that become host paths (shared volumes, persistent data, generated files) are joined
// here and nowhere else: each name must have the strict name form, and the result is checked to
// stay under its base. Validation refuses such names first (PLB201); this is the second wall, so a
// bug elsewhere, or a caller that skipped validation, still cannot produce `/srv/x/../../etc`.
import { posix } from "node:path";
import { PlumbError } from "../errors.js";

/** The name form of domains, machines, volumes, profiles (anklume's regex). */
export const SAFE_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** `base/name1/name2…`, refused (PLB205) unless every name is safe and the result stays in base. */
export function joinUnder(base: string, ...names: readonly string[]): string {
  for (const name of names) {
    if (typeof name !== "string" || !SAFE_NAME.test(name)) {
      throw new PlumbError(
        "PLB205",
        `refusing to build a path from the name ${JSON.stringify(name)} under ${base}`,
        {
          hint: "names that become paths are lowercase letters, digits and hyphens (validate first)",
        },
      );
    }
  }
  const root = base.replace(/\/+$/, "") || "/";
  const joined = posix.join(root, ...names);
  const inside = root === "/" ? joined.startsWith("/") : joined.startsWith(`${root}/`);
  if (!posix.isAbsolute(root) || posix.normalize(root) !== root || !inside) {
    throw new PlumbError("PLB205", `path ${joined} would leave its base directory ${base}`, {
      hint: "the base must be an absolute path without `.`/`..` segments",
    });
  }
  return joined;
}

/** A file name for a generated file (`<name>.yml`), refused (PLB205) unless the name is safe. */
export function assertSafeName(name: string, what: string): void {
  if (!SAFE_NAME.test(name)) {
    throw new PlumbError(
      "PLB205",
      `refusing to generate a file for ${what} ${JSON.stringify(name)}`,
      {
        hint: "names are lowercase letters, digits and hyphens (validate first)",
      },
    );
  }
}

/**
 * `root/<relative>` for a configured folder (`global.ansible_dir`), refused (PLB205) unless it
 * stays inside `root`. The schema already forbids `..`; this is the second wall.
 */
export function folderUnder(root: string, relative: string): string {
  const dir = posix.normalize(posix.join(root, relative));
  const base = posix.normalize(root).replace(/\/+$/, "");
  if (dir !== base && !dir.startsWith(`${base}/`)) {
    throw new PlumbError("PLB205", `folder ${relative} would leave the repository ${root}`, {
      hint: "global.ansible_dir is a path inside the repository, without `..`",
    });
  }
  return dir;
}
