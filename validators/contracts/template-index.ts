// What validating `contracts:` needs to know about templates/: each folder's slug, version,
// inputs schema, sample inputs and whether templates.lock covers its current content. Pure and
// cheap (parse template.yml and hash the folder; no rendering, no linters): the gatekeeper
// (`plumb validate` on templates/) judges the templates themselves.
import type { TemplateFolder, TemplatesRead } from "../../core/io/read-templates.js";
import { isRecord } from "../../core/model/addressing.js";
import { parseYamlSource } from "../../core/source/yaml-source.js";
import { parseLock, treeHash } from "../templates/tree-hash.js";

export type LockState = "locked" | "not-in-lock" | "changed" | "no-lock";

export interface ContractTemplateInfo {
  readonly slug: string;
  readonly version: string;
  /** The template's inputs JSON Schema (undefined when template.yml does not parse). */
  readonly inputs: Record<string, unknown> | undefined;
  readonly sampleInputs: Readonly<Record<string, unknown>>;
  readonly lock: LockState;
  readonly treeHash: string;
}

export interface ContractTemplates {
  readonly bySlug: ReadonlyMap<string, ContractTemplateInfo>;
  readonly lockPath: string;
}

/** The folder's content hash exactly as the gatekeeper computes it (validators/templates/gatekeeper.ts). */
export function folderHash(folder: TemplateFolder): string {
  return treeHash(
    folder.entries.map((e) => ({
      rel: e.rel,
      executable: e.executable,
      bytes: e.bytes ?? new TextEncoder().encode(`${e.kind}:${e.size}:${e.linkTarget ?? ""}`),
    })),
  );
}

export function indexTemplates(read: TemplatesRead): ContractTemplates {
  const parsed = read.lock === undefined ? undefined : parseLock(read.lock);
  const lock = typeof parsed === "string" ? undefined : parsed;
  const bySlug = new Map<string, ContractTemplateInfo>();
  for (const folder of read.folders) {
    const entry = folder.entries.find((e) => e.rel === "template.yml");
    const src = parseYamlSource(entry?.bytes ?? new Uint8Array(), `${folder.dir}/template.yml`);
    const m = isRecord(src.value) ? src.value : {};
    const hash = folderHash(folder);
    const recorded = lock?.templates[folder.name];
    bySlug.set(folder.name, {
      slug: folder.name,
      version: typeof m.version === "string" ? m.version : "0.0.0",
      inputs: isRecord(m.inputs) ? m.inputs : undefined,
      sampleInputs: isRecord(m.sample_inputs) ? m.sample_inputs : {},
      lock:
        lock === undefined
          ? "no-lock"
          : recorded === undefined
            ? "not-in-lock"
            : recorded === hash
              ? "locked"
              : "changed",
      treeHash: hash,
    });
  }
  return { bySlug, lockPath: read.lockPath };
}
