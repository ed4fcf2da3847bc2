// Atomic file replacement: each file is written to a temporary file in its own directory,
// flushed to disk, then renamed over the target, and the directory is flushed so the rename itself
// survives a crash. A reader (or a crash, or Ctrl-C) sees the old bytes or the new bytes, never a
// half-written file.
//
// Flushing is where the time goes: 5,000 fsyncs cost about a second even when issued
// concurrently. A large batch therefore writes every temporary file, then flushes the file system
// once (syncfs(2), through coreutils' `sync -f`), and only then renames. Small batches, and
// systems without `sync -f`, fsync each file.
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { exec } from "../exec/exec.js";

/** Suffix of our temporary files; they are hidden (leading dot) so Ansible never reads them. */
export const TEMP_SUFFIX = ".plumb-tmp";
/** From this many files on, one file-system flush replaces per-file fsyncs. */
export const BATCH_FLUSH_FROM = 64;
const FSYNC_CONCURRENCY = 32;

export interface FileWrite {
  readonly path: string;
  readonly content: string;
}

export interface WriteOptions {
  /** Flushes the file systems holding `dirs`; false when it could not. Injected by tests. */
  readonly flushFileSystems?: (dirs: readonly string[]) => boolean | Promise<boolean>;
}

export function tempPathFor(path: string): string {
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  return join(dirname(path), `.${basename(path)}.${tag}${TEMP_SUFFIX}`);
}

export function isTempFile(name: string): boolean {
  return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
}

/**
 * Writes every file atomically. On failure no target is half-written (some may already hold
 * their new bytes) and the temporary files are gone.
 */
export async function writeFilesAtomic(
  files: readonly FileWrite[],
  options: WriteOptions = {},
): Promise<void> {
  const dirs = [...new Set(files.map((f) => dirname(f.path)))];
  const batch = files.length >= BATCH_FLUSH_FROM;
  const temps: { temp: string; target: string }[] = [];
  try {
    for (const f of files) {
      const temp = tempPathFor(f.path);
      // A replaced file keeps its permissions (someone may have made it group-readable).
      const mode = existingMode(f.path);
      const fd = openSync(temp, "wx");
      temps.push({ temp, target: f.path });
      try {
        writeFileSync(fd, f.content);
        if (mode !== undefined) fchmodSync(fd, mode);
        if (!batch) fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    if (batch && !(await (options.flushFileSystems ?? flushFileSystems)(dirs))) {
      await fsyncAll(temps.map((t) => t.temp));
    }
    for (let i = 0; i < temps.length; i++) {
      const t = temps[i] as { temp: string; target: string };
      renameSync(t.temp, t.target);
      temps[i] = { temp: "", target: t.target };
    }
  } finally {
    for (const t of temps) if (t.temp !== "") removeQuietly(t.temp);
  }
  for (const dir of dirs) fsyncDir(dir);
}

export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await writeFilesAtomic([{ path, content }]);
}

/** syncfs(2) on the file system of each folder, via coreutils `sync -f` (Linux). */
export async function flushFileSystems(dirs: readonly string[]): Promise<boolean> {
  if (process.platform !== "linux" || dirs.length === 0) return false;
  try {
    const r = await exec("sync", ["-f", ...dirs], { reject: false, timeoutMs: 120_000 });
    return r.exitCode === 0;
  } catch {
    return false; // no `sync` (PLB090) or it hung (PLB092): fsync each file instead
  }
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
