// The generated Ansible tree on disk: read what is there (inventory/, group_vars/, host_vars/),
// and apply a write plan (atomic writes, orphan deletion). The only file-system code of
// `plumb generate`; the planning in generators/ansible/ takes content.
import { isUtf8 } from "node:buffer";
import { mkdirSync, readdirSync, readFileSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { GENERATED_DIRS } from "../../generators/ansible/render.js";
import { PlumbError } from "../errors.js";
import { fsyncDir, isTempFile, writeFilesAtomic } from "./atomic-write.js";

export interface ExistingTree {
  /** Relative path (`host_vars/web-1.yml`) → text, for every `*.yml` directly in the folders. */
  readonly files: ReadonlyMap<string, string>;
  /** Temporary files a killed run left behind (relative paths): ours, safe to delete. */
  readonly strayTemps: readonly string[];
}

export function readGeneratedTree(outDir: string): ExistingTree {
  const files = new Map<string, string>();
  const strayTemps: string[] = [];
  for (const dir of GENERATED_DIRS) {
    const abs = join(outDir, dir);
    let names: string[];
    try {
      names = readdirSync(abs);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw ioError(`${dir}/: cannot list (${(cause as Error).message})`, cause);
    }
    for (const name of names) {
      if (isTempFile(name)) strayTemps.push(`${dir}/${name}`);
      if (name.startsWith(".") || !name.endsWith(".yml")) continue;
      const rel = `${dir}/${name}`;
      // A file that is not UTF-8 must not be "repaired" with U+FFFD when its section is spliced.
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(abs, name));
      } catch (cause) {
        // A sub-folder named like a file (group_vars/web.yml/) is not ours to read.
        if ((cause as NodeJS.ErrnoException).code === "EISDIR") continue;
        throw ioError(`${rel}: cannot read (${(cause as Error).message})`, cause);
      }
      if (!isUtf8(bytes))
        throw ioError(`${rel}: not valid UTF-8`, undefined, "re-save it as UTF-8");
      // Buffer#toString keeps a byte-order mark (TextDecoder would drop it).
      files.set(rel, bytes.toString("utf8"));
    }
  }
  return { files, strayTemps };
}

export interface ApplyInput {
  /** Relative path → new content. */
  readonly writes: readonly { readonly path: string; readonly content: string }[];
  /** Relative paths to delete (orphans the user agreed to prune). */
  readonly deletes: readonly string[];
  readonly strayTemps: readonly string[];
}

export async function applyToTree(outDir: string, input: ApplyInput): Promise<void> {
  const writes = input.writes.map((w) => ({ path: join(outDir, w.path), content: w.content }));
  try {
    for (const dir of new Set(writes.map((w) => dirname(w.path))))
      mkdirSync(dir, { recursive: true });
    await writeFilesAtomic(writes);
  } catch (cause) {
    if (cause instanceof PlumbError) throw cause;
    throw ioError(`cannot write the generated tree: ${(cause as Error).message}`, cause);
  }
  const touched = new Set<string>();
  for (const rel of [...input.deletes, ...input.strayTemps]) {
    const abs = join(outDir, rel);
    try {
      unlinkSync(abs);
      touched.add(dirname(abs));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw ioError(`${rel}: cannot delete (${(cause as Error).message})`, cause);
    }
  }
  for (const dir of touched) fsyncDir(dir);
}

function ioError(message: string, cause: unknown, hint?: string): PlumbError {
  return new PlumbError("PLB608", message, {
    cause,
    hint:
      hint ?? "check the permissions and that inventory/, group_vars/ and host_vars/ are folders",
  });
}
