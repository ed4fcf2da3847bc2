// The whole template check of `plumb validate`, cached by content: when no byte of templates/ or
// templates.lock changed, nor the linters (identity and version), nor plumb's own built code,
// the previous verdict is reused without even loading the gatekeeper. Any change is a miss and
// the gatekeeper runs (its bash -n / shellcheck calls then go through the per-script cache).
// Entries are MAC'd with the machine secret like the lint cache's (lint-cache.ts): a forged entry
// committed under `.plumb/` is ignored.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Diagnostic } from "../diagnostics.js";
import { lintCacheDir, machineSecret, readEntry, toolIdentity, writeEntry } from "./lint-cache.js";
import type { TemplatesRead } from "./read-templates.js";

const FORMAT = 1;

export interface TemplateVerdict {
  readonly count: number;
  readonly diagnostics: readonly Diagnostic[];
}

export interface TemplateCheckCache {
  get(): TemplateVerdict | undefined;
  put(verdict: TemplateVerdict): Promise<void>;
}

/**
 * Undefined when caching is not possible: running from sources (no build id: code identity
 * unknown) or no machine secret.
 */
export async function templateCheckCache(
  root: string,
  read: TemplatesRead,
  buildIdUrl: URL,
): Promise<TemplateCheckCache | undefined> {
  let buildId: string;
  try {
    buildId = readFileSync(buildIdUrl, "utf8").trim();
  } catch {
    return undefined;
  }
  const secret = machineSecret();
  if (secret === undefined || buildId === "") return undefined;
  const dir = lintCacheDir(root);
  const h = createHash("sha256").update(
    JSON.stringify([
      FORMAT,
      buildId,
      await toolIdentity("bash", dir, secret),
      await toolIdentity("shellcheck", dir, secret),
    ]),
  );
  const field = (s: string | Uint8Array) => {
    h.update(`${typeof s === "string" ? Buffer.byteLength(s) : s.byteLength}\0`).update(s);
  };
  field(read.lock ?? "\u0000absent");
  field(read.lockPath);
  for (const f of read.folders) {
    field(`${f.name}\0${f.dir}`);
    for (const e of f.entries) {
      field(JSON.stringify([e.rel, e.kind, e.size, e.executable, e.linkTarget ?? null]));
      field(e.bytes ?? "\u0000unread");
    }
  }
  // The action catalog (templates/actions/) is part of the verdict too.
  for (const a of read.actions ?? []) {
    field(a.file);
    field(a.bytes);
  }
  const key = `templates-${h.digest("hex")}`;
  return {
    get: () => {
      const hit = readEntry<TemplateVerdict>(dir, key, secret);
      return hit.found ? hit.value : undefined;
    },
    put: (verdict) => writeEntry(dir, key, secret, verdict),
  };
}

/** Line text of a template file from what was read (for rendering cached diagnostics). */
export function templateLineText(
  read: TemplatesRead,
): (file: string, line: number) => string | undefined {
  const texts = new Map<string, string[]>();
  const decoder = new TextDecoder();
  const lines = (file: string): string[] | undefined => {
    let l = texts.get(file);
    if (l !== undefined) return l;
    if (file === read.lockPath && read.lock !== undefined) l = read.lock.split(/\r?\n/);
    for (const f of read.folders)
      for (const e of f.entries)
        if (`${f.dir}/${e.rel}` === file && e.bytes) l = decoder.decode(e.bytes).split(/\r?\n/);
    if (l !== undefined) texts.set(file, l);
    return l;
  };
  return (file, line) => lines(file)?.[line - 1];
}
