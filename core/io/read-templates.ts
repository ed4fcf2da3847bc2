// Reads templates/<slug>/ folders without following symbolic links. Content is loaded only for
// regular files under the size caps; the gatekeeper (validators/templates/) judges the rest.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join, relative } from "node:path";
import { isDirectory } from "./find-root.js";

export const MAX_TEMPLATE_FILE = 1024 * 1024;
export const MAX_TEMPLATE_TOTAL = 8 * 1024 * 1024;

export interface TemplateEntry {
  /** Relative to the template folder, `/`-separated. */
  readonly rel: string;
  readonly kind: "file" | "symlink" | "other";
  readonly size: number;
  readonly executable: boolean;
  /** Loaded for regular files up to MAX_TEMPLATE_FILE. */
  readonly bytes: Uint8Array | undefined;
  readonly linkTarget?: string;
}

export interface TemplateFolder {
  /** Folder name (should equal the manifest's slug). */
  readonly name: string;
  /** Display path, e.g. `templates/motd`. */
  readonly dir: string;
  readonly entries: readonly TemplateEntry[];
}

/** A catalog action file (templates/actions/<action_id>.yml). */
export interface ActionFileRead {
  /** File name without `.yml`. */
  readonly name: string;
  /** Display path, e.g. `templates/actions/package-install.yml`. */
  readonly file: string;
  readonly bytes: Uint8Array;
}

export interface TemplatesRead {
  readonly folders: readonly TemplateFolder[];
  /** templates/actions/*.yml, regular files only (no symlinks), sorted by name. */
  readonly actions: readonly ActionFileRead[];
  /** templates.lock text, if present. */
  readonly lock: string | undefined;
  /** Display path of the lock file. */
  readonly lockPath: string;
}

export function readTemplates(root: string): TemplatesRead {
  const base = join(root, "templates");
  const lockFile = join(root, "templates.lock");
  let lock: string | undefined;
  try {
    lock = readFileSync(lockFile, "utf8");
  } catch {
    lock = undefined;
  }
  const folders: TemplateFolder[] = [];
  if (isDirectory(base)) {
    for (const name of readdirSync(base).sort()) {
      const dir = join(base, name);
      if (!isDirectory(dir) || lstatSync(dir).isSymbolicLink()) continue;
      if (!lstatSync(join(dir, "template.yml"), { throwIfNoEntry: false })) continue;
      const entries: TemplateEntry[] = [];
      walk(dir, dir, entries);
      folders.push({ name, dir: relative(root, dir), entries });
    }
  }
  const actionsDir = join(base, "actions");
  const actions: ActionFileRead[] = [];
  if (isDirectory(actionsDir) && !lstatSync(actionsDir).isSymbolicLink()) {
    for (const n of readdirSync(actionsDir).sort()) {
      const st = lstatSync(join(actionsDir, n));
      if (!n.endsWith(".yml") || !st.isFile() || st.size > MAX_TEMPLATE_FILE) continue;
      actions.push({
        name: n.slice(0, -4),
        file: `${relative(root, actionsDir)}/${n}`,
        bytes: readFileSync(join(actionsDir, n)),
      });
    }
  }
  return { folders, actions, lock, lockPath: relative(root, lockFile) };
}

function walk(top: string, dir: string, out: TemplateEntry[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = lstatSync(p);
    const rel = relative(top, p).split("\\").join("/");
    if (st.isSymbolicLink()) {
      out.push({
        rel,
        kind: "symlink",
        size: 0,
        executable: false,
        bytes: undefined,
        linkTarget: readlinkSync(p),
      });
    } else if (st.isDirectory()) {
      walk(top, p, out);
    } else if (st.isFile()) {
      const bytes = st.size <= MAX_TEMPLATE_FILE ? readFileSync(p) : undefined;
      out.push({ rel, kind: "file", size: st.size, executable: (st.mode & 0o111) !== 0, bytes });
    } else {
      out.push({ rel, kind: "other", size: 0, executable: false, bytes: undefined });
    }
  }
}
