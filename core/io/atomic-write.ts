// Atomic file replacement: each file is written to a temporary file in its own directory,
// flushed to disk (fsync), then renamed over the target, and the directory is flushed so the
// rename itself survives a crash. A reader (or a crash, or Ctrl-C) sees the old bytes or the new
// bytes, never a half-written file.
//
// Batches matter: 5,000 sequential fsyncs cost seconds, while fsyncs issued concurrently are
// folded into a few journal commits. So a batch writes the temporary files on the main thread
// while the libuv pool flushes them (bounded), and renames only once every one is on disk.
import { randomBytes } from "node:crypto";
import {
  close,
  closeSync,
  fchmodSync,
  fsync,
  fsyncSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

/** Suffix of our temporary files; they are hidden (leading dot) so Ansible never reads them. */
export const TEMP_SUFFIX = ".plumb-tmp";
const FSYNC_CONCURRENCY = 64;

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

/**
 * Writes every file atomically. On failure no target is half-written (some may already hold
 * their new bytes) and the temporary files are gone.
 */
export async function writeFilesAtomic(files: readonly FileWrite[]): Promise<void> {
  const temps: { temp: string; target: string }[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const flushAndClose = (fd: number): Promise<void> => {
    const p = new Promise<void>((done) => {
      fsync(fd, (err) => {
        failure ??= err ?? undefined;
        close(fd, () => done());
      });
    });
    inFlight.add(p);
    return p.then(() => void inFlight.delete(p));
  };
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
      } catch (e) {
        closeSync(fd);
        throw e;
      }
      void flushAndClose(fd);
      if (inFlight.size >= FSYNC_CONCURRENCY) await Promise.race(inFlight);
      if (failure !== undefined) throw failure;
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    for (let i = 0; i < temps.length; i++) {
      const t = temps[i] as { temp: string; target: string };
      renameSync(t.temp, t.target);
      temps[i] = { temp: "", target: t.target };
    }
  } finally {
    await Promise.all(inFlight);
    for (const t of temps) if (t.temp !== "") removeQuietly(t.temp);
  }
  for (const dir of new Set(files.map((f) => dirname(f.path)))) fsyncDir(dir);
}

export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await writeFilesAtomic([{ path, content }]);
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
