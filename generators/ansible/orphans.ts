// Orphans: generated files whose domain or machine is no longer declared (anklume's
// detect_orphans): inventory/*.yml and group_vars/*.yml whose stem is not a domain (`all` allowed
// in group_vars), host_vars/*.yml whose stem is not a machine. Disabled domains are declared,
// so their files are never orphans. Protection as in anklume's _is_orphan_protected: a file
// saying `domain_ephemeral` (else `instance_ephemeral`) is false is kept for manual removal.
import jsyaml from "js-yaml";
import { CUSTOM_FOOTER, parseManagedFile } from "./managed-section.js";
import { GENERATED_DIRS, type GeneratedDir } from "./render.js";

export interface Orphan {
  readonly path: string;
  readonly dir: GeneratedDir;
  /** Says `ephemeral: false`: --prune never deletes it. */
  readonly protected: boolean;
  /** Holds text outside the managed section (the user's own variables). */
  readonly customText: boolean;
}

export interface KnownNames {
  readonly domains: ReadonlySet<string>;
  readonly machines: ReadonlySet<string>;
}

/** `existing`: relative path → content of every `*.yml` directly in the generated folders. */
export function findOrphans(existing: ReadonlyMap<string, string>, known: KnownNames): Orphan[] {
  const out: Orphan[] = [];
  for (const [path, text] of existing) {
    const slash = path.indexOf("/");
    const dir = path.slice(0, slash) as GeneratedDir;
    const file = path.slice(slash + 1);
    if (!GENERATED_DIRS.includes(dir) || file.includes("/") || !file.endsWith(".yml")) continue;
    const stem = file.slice(0, -".yml".length);
    const declared =
      dir === "host_vars"
        ? known.machines.has(stem)
        : known.domains.has(stem) || (dir === "group_vars" && stem === "all");
    if (declared) continue;
    out.push({ path, dir, protected: isProtected(text), customText: hasCustomText(text) });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// YAML 1.1 (PyYAML, anklume) reads these as false; deleting is the risky side, so honour them.
const FALSY_WORDS = /^(?:n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/;

export function isProtected(text: string): boolean {
  let data: unknown;
  try {
    data = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
  } catch {
    return false;
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) return false;
  const vars = data as Record<string, unknown>;
  for (const key of ["domain_ephemeral", "instance_ephemeral"]) {
    if (key in vars) return isFalsy(vars[key]);
  }
  return false;
}

function isFalsy(v: unknown): boolean {
  if (typeof v === "string") return v === "" || FALSY_WORDS.test(v);
  if (Array.isArray(v)) return v.length === 0;
  if (v !== null && typeof v === "object") return Object.keys(v).length === 0;
  return !v;
}

/** True when the file has lines of its own beyond the section, `---` and our footer comment. */
export function hasCustomText(text: string): boolean {
  const parsed = parseManagedFile(text);
  const outside = parsed.ok
    ? text.slice(0, parsed.section.start) + text.slice(parsed.section.end)
    : text;
  return outside.split("\n").some((line) => {
    const t = line.trim();
    return t !== "" && t !== "---" && t !== CUSTOM_FOOTER;
  });
}
