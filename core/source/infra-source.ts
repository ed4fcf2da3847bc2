// Builds the merged infra document from one file or a directory, remembering where every
// subtree came from so a diagnostic on `domains.web.machines.w1.ip` names domains/web.yml:7:9.
import type { Diagnostic, JsonPath, SourcePosition } from "../diagnostics.js";
import { isRecord } from "../model/addressing.js";
import { parseYamlSource, type YamlSource } from "./yaml-source.js";

export interface InfraFile {
  /** Path shown to users (relative to the repo root). */
  readonly path: string;
  readonly content: string | Uint8Array;
  /** Size on disk when the reader refused to load an oversized file (content is then empty). */
  readonly size?: number;
}

export type InfraInput =
  | { readonly mode: "file"; readonly file: InfraFile }
  | {
      readonly mode: "dir";
      /** Display path of the directory, e.g. `infra`. */
      readonly dir: string;
      readonly base: InfraFile | undefined;
      /** `domains/*.yml`, any order: sorted here by file name. */
      readonly domains: readonly InfraFile[];
      readonly policies: InfraFile | undefined;
    };

interface Origin {
  readonly source: YamlSource;
  /** Path inside that file of the merged path's prefix. */
  readonly prefix: JsonPath;
  /** Length of the merged path's prefix that `prefix` replaces. */
  readonly consumed: number;
}

export interface LoadedInfra {
  readonly mode: "file" | "dir";
  /** The merged document; undefined when a file could not be parsed at all. */
  readonly document: Record<string, unknown> | undefined;
  /**
   * Directory mode with some file unreadable: the merge of the files that did parse, so their
   * own structural problems are still reported (never used to generate or plan anything).
   */
  readonly partial?: Record<string, unknown>;
  readonly sources: readonly YamlSource[];
  /** Problems found while reading and merging (syntax, duplicates, …), already located. */
  readonly diagnostics: readonly Diagnostic[];
  locate(path: JsonPath, target?: "key" | "value"): SourcePosition;
  source(file: string): YamlSource | undefined;
}

export function loadInfra(input: InfraInput): LoadedInfra {
  return input.mode === "file" ? loadFile(input.file) : loadDir(input);
}

function loadFile(file: InfraFile): LoadedInfra {
  const src = parse(file);
  const diagnostics: Diagnostic[] = []; // rootMapping() adds the file's own diagnostics
  const doc = rootMapping(src, diagnostics, "an infra file with project_name, global and domains");
  return result("file", doc, [src], diagnostics, () => ({ source: src, prefix: [], consumed: 0 }));
}

function loadDir(input: Extract<InfraInput, { mode: "dir" }>): LoadedInfra {
  const diagnostics: Diagnostic[] = [];
  const sources: YamlSource[] = [];
  if (input.base === undefined) {
    diagnostics.push({
      code: "PLB011",
      severity: "error",
      message: `${input.dir}/base.yml not found`,
      hint: `create ${input.dir}/base.yml with project_name and global (domains go in ${input.dir}/domains/*.yml)`,
      location: { file: `${input.dir}/base.yml`, line: 1, column: 1 },
    });
  }
  const base = input.base ? parse(input.base) : undefined;
  if (base) sources.push(base);
  const baseDoc = base ? rootMapping(base, diagnostics, "project_name and global") : undefined;

  const domainOrigins = new Map<string, Origin>();
  const domains: Record<string, unknown> = {};
  if (base && baseDoc && isRecord(baseDoc.domains)) {
    for (const [name, value] of Object.entries(baseDoc.domains)) {
      setOwn(domains, name, value);
      domainOrigins.set(name, { source: base, prefix: ["domains", name], consumed: 2 });
    }
  }
  let parseFailed = base === undefined || baseDoc === undefined;
  const files = [...input.domains].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const f of files) {
    const src = parse(f);
    sources.push(src);
    diagnostics.push(...src.diagnostics);
    if (src.value === undefined) {
      parseFailed = true;
      continue;
    }
    if (src.value === null) continue; // an empty domains file declares nothing
    if (!isRecord(src.value)) {
      parseFailed = true;
      diagnostics.push(notMapping(src, "a mapping of domain name → domain"));
      continue;
    }
    for (const [name, value] of Object.entries(src.value)) {
      const earlier = domainOrigins.get(name);
      if (earlier) {
        const at = earlier.source.locate(earlier.prefix, "key");
        diagnostics.push({
          code: "PLB013",
          severity: "warning",
          message: `domain '${name}' is defined again; this definition replaces the one at ${at.file}:${at.line}`,
          hint: "keep one definition per domain (definitions are not merged key by key)",
          location: src.locate([name], "key"),
        });
        delete domains[name]; // re-insert so the merged order follows the files
      }
      setOwn(domains, name, value);
      domainOrigins.set(name, { source: src, prefix: [name], consumed: 2 });
    }
  }

  let policiesOrigin: Origin | undefined;
  let policies: unknown;
  let hasPolicies = false;
  if (input.policies) {
    const src = parse(input.policies);
    sources.push(src);
    diagnostics.push(...src.diagnostics);
    if (src.value === undefined) parseFailed = true;
    else if (src.value !== null && !isRecord(src.value)) {
      parseFailed = true;
      diagnostics.push(notMapping(src, "a mapping with network_policies"));
    } else if (isRecord(src.value)) {
      for (const key of Object.keys(src.value)) {
        // approvals: core/approvals/policy.ts (plan, apply, approve); change_freeze:
        // core/freeze/policy.ts (apply, drift, the reconcile job); contracts:
        // reconcilers/delivery/policy.ts (apply)
        if (
          key === "network_policies" ||
          key === "approvals" ||
          key === "change_freeze" ||
          key === "contracts"
        )
          continue;
        diagnostics.push({
          code: "PLB014",
          severity: "warning",
          message: `key '${key}' in ${src.file} is ignored; only network_policies is read from this file`,
          hint:
            key === "domains"
              ? `move domains to ${input.dir}/domains/*.yml`
              : `move '${key}' to ${input.dir}/base.yml`,
          location: src.locate([key], "key"),
        });
      }
      if ("network_policies" in src.value) {
        hasPolicies = true;
        policies = src.value.network_policies;
        policiesOrigin = { source: src, prefix: ["network_policies"], consumed: 1 };
      }
    }
  }

  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(baseDoc ?? {})) {
    // A base.yml `domains` that is not a mapping stays as written, for the schema to report.
    const merge = k === "domains" && (v === null || isRecord(v));
    setOwn(merged, k, merge ? domains : v);
  }
  if (!("domains" in merged)) merged.domains = domains;
  if (hasPolicies) merged.network_policies = policies;

  const baseOrigin: Origin | undefined = base && { source: base, prefix: [], consumed: 0 };
  const originOf = (path: JsonPath): Origin | undefined => {
    if (path[0] === "domains" && path.length >= 2)
      return domainOrigins.get(String(path[1])) ?? baseOrigin;
    if (path[0] === "network_policies" && policiesOrigin) return policiesOrigin;
    return baseOrigin;
  };
  if (parseFailed || !base || !baseDoc) {
    const loaded = result("dir", undefined, sources, diagnostics, originOf);
    return { ...loaded, partial: merged };
  }
  return result("dir", merged, sources, diagnostics, originOf);
}

/**
 * `obj[key] = value` with key `__proto__` would replace the prototype instead of adding a key;
 * js-yaml keeps such a key as an own property, and so must the merge (the name rules judge it).
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function parse(f: InfraFile): YamlSource {
  return parseYamlSource(f.content, f.path, f.size);
}

function rootMapping(
  src: YamlSource,
  diagnostics: Diagnostic[],
  expected: string,
): Record<string, unknown> | undefined {
  diagnostics.push(...src.diagnostics);
  if (src.value === undefined) return undefined;
  if (src.value === null) {
    diagnostics.push({
      code: "PLB005",
      severity: "error",
      message: src.empty ? "file is empty" : "document is null",
      hint: `expected ${expected}`,
      location: { file: src.file, line: 1, column: 1 },
    });
    return undefined;
  }
  if (!isRecord(src.value)) {
    diagnostics.push(notMapping(src, expected));
    return undefined;
  }
  return src.value;
}

function notMapping(src: YamlSource, expected: string): Diagnostic {
  const kind = Array.isArray(src.value) ? "a list" : `a ${typeof src.value}`;
  return {
    code: "PLB009",
    severity: "error",
    message: `the document is ${kind}, not a mapping`,
    hint: `expected ${expected}`,
    location: src.locate([]),
  };
}

function result(
  mode: "file" | "dir",
  document: Record<string, unknown> | undefined,
  sources: YamlSource[],
  diagnostics: Diagnostic[],
  originOf: (path: JsonPath) => Origin | undefined,
): LoadedInfra {
  const byFile = new Map(sources.map((s) => [s.file, s]));
  return {
    mode,
    document,
    sources,
    diagnostics,
    locate(path, target = "value") {
      const origin = originOf(path);
      if (!origin) return { file: sources[0]?.file ?? "infra", line: 1, column: 1 };
      return origin.source.locate([...origin.prefix, ...path.slice(origin.consumed)], target);
    },
    source: (file) => byFile.get(file),
  };
}
