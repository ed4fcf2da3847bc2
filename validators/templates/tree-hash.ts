// Content hash of a template folder, recorded in templates.lock. Covers every file's relative
// path, executable bit and bytes, so renaming, chmod +x or editing a file all change it.
import { createHash } from "node:crypto";

export interface HashedFile {
  /** Path relative to the template folder, `/`-separated (e.g. `files/site.conf.njk`). */
  readonly rel: string;
  readonly executable: boolean;
  readonly bytes: Uint8Array;
}

export function treeHash(files: readonly HashedFile[]): string {
  const lines = [...files]
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))
    .map(
      (f) =>
        `${f.rel}\u0000${f.executable ? "x" : "-"}\u0000${createHash("sha256").update(f.bytes).digest("hex")}\n`,
    );
  return `sha256:${createHash("sha256").update(lines.join("")).digest("hex")}`;
}

export interface TemplatesLock {
  readonly version: 1;
  readonly templates: Readonly<Record<string, string>>;
  /** Catalog actions (templates/actions/<id>.yml) by action_id: sha256 of the file bytes. */
  readonly actions?: Readonly<Record<string, string>>;
}

const sorted = (m: ReadonlyMap<string, string>) =>
  Object.fromEntries([...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));

export function renderLock(
  hashes: ReadonlyMap<string, string>,
  actions: ReadonlyMap<string, string> = new Map(),
): string {
  const doc =
    actions.size > 0
      ? { version: 1, templates: sorted(hashes), actions: sorted(actions) }
      : { version: 1, templates: sorted(hashes) };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Parses templates.lock; returns an error message instead of throwing. */
export function parseLock(text: string): TemplatesLock | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  const o = v as { version?: unknown; templates?: unknown };
  if (
    o === null ||
    typeof o !== "object" ||
    o.version !== 1 ||
    o.templates === null ||
    typeof o.templates !== "object"
  ) {
    return 'expected {"version": 1, "templates": {...}}';
  }
  const actions = (o as { actions?: unknown }).actions;
  if (actions !== undefined && (actions === null || typeof actions !== "object"))
    return '"actions" must be an object of "sha256:<hex>"';
  for (const [k, h] of [
    ...Object.entries(o.templates as object),
    ...Object.entries((actions ?? {}) as object),
  ]) {
    if (typeof h !== "string" || !/^sha256:[0-9a-f]{64}$/.test(h))
      return `entry '${k}' is not "sha256:<64 hex>"`;
  }
  return o as TemplatesLock;
}
