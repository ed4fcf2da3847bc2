// Atomic file replacement: each file is written to a temporary file in its own directory,
// flushed to disk (fsync), then renamed over the target, and the directory is flushed so the
// rename itself survives a crash. A reader (or a crash, or Ctrl-C) sees the old bytes or the new
// bytes, never a half-written file.
//
// Batches matter: 5,000 sequential fsyncs cost seconds, while fsyncs issued concurrently are
// folded into a few journal commits. So a batch writes every temporary file, flushes them with
// bounded concurrency, and only then renames them.
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  fsyncSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Suffix of our temporary files; they are hidden (leading dot) so Ansible never reads them. */
export const TEMP_SUFFIX = ".plumb-tmp";
const FSYNC_CONCURRENCY = 32;

export interface FileWrite {
  readonly path: string;
  readonly content: string;
}

export function tempPathFor(path: string): string {
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  return join(dirname(path), `.${basename(path)}.${tag}${TEMP_SUFFIX}`);
}

export function isTempFile(name: string): boolean {
  return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
}

/** Writes every file atomically. On failure no target is half-written and temp files are gone. */
export async function writeFilesAtomic(files: readonly FileWrite[]): Promise<void> {
  const temps: { temp: string; target: string }[] = [];
  try {
    for (const f of files) {
      const temp = tempPathFor(f.path);
      // A replaced file keeps its permissions (someone may have made it group-readable).
      const mode = existingMode(f.path);
      writeFileSync(temp, f.content, { flag: "wx" });
      temps.push({ temp, target: f.path });
      if (mode !== undefined) chmodSync(temp, mode);
    }
    await fsyncAll(temps.map((t) => t.temp));
    for (let i = 0; i < temps.length; i++) {
      const t = temps[i] as { temp: string; target: string };
      renameSync(t.temp, t.target);
      temps[i] = { temp: "", target: t.target };
    }
  } finally {
    for (const t of temps) if (t.temp !== "") removeQuietly(t.temp);
  }
  for (const dir of new Set(files.map((f) => dirname(f.path)))) fsyncDir(dir);
}

export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await writeFilesAtomic([{ path, content }]);
}

async function fsyncAll(paths: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const handle = await open(paths[next++] as string, "r+");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FSYNC_CONCURRENCY, paths.length) }, worker));
}

/** Makes renames and unlinks in `dir` durable. Some file systems refuse: that is not an error. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // EISDIR/EINVAL on platforms without directory fsync; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function existingMode(path: string): number | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  return st === undefined ? undefined : st.mode & 0o7777;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
