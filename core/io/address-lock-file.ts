// Where the addresses lock lives and reading it: `addresses.lock.yml` in the infra directory
// (infra/addresses.lock.yml), or beside a single infra.yml.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { LOCK_FILE, type ParsedLock, parseAddressLock } from "../model/addressing-lock.js";
import type { InfraInput } from "../source/infra-source.js";

export function addressLockPath(root: string, input: InfraInput): string {
  return input.mode === "dir"
    ? join(resolve(root, input.dir), LOCK_FILE)
    : join(dirname(resolve(root, input.file.path)), LOCK_FILE);
}

export interface LockFile extends ParsedLock {
  readonly path: string;
  /** The file's text; undefined when there is none yet. */
  readonly text: string | undefined;
}

export function readAddressLock(root: string, input: InfraInput): LockFile {
  const path = addressLockPath(root, input);
  let text: string | undefined;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  return { path, text, ...parseAddressLock(text, relative(root, path) || path) };
}
