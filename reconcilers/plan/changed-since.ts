// `plan --changed-since <ref>`: which domains a set of changed files touches. Pure: the changed
// paths and file contents in, the domains out. Anything but a domain file (base.yml,
// policies.yml, a single-file infra.yml, an unreadable domain file, a removed domain) selects
// the whole estate, since it can change every domain.
import { parse } from "yaml";

export interface ChangedSelection {
  /** True: plan everything. */
  readonly all: boolean;
  /** With `all` false: the domains to plan (sorted; maybe none). */
  readonly domains: readonly string[];
  /** Why everything, for the plan header. */
  readonly why?: string;
}

export interface ChangedInput {
  /** Changed paths relative to the repository root (committed since the base, and uncommitted). */
  readonly changed: readonly string[];
  /** Where the infra lives, relative to the root: `infra` (directory) or `infra.yml` (file). */
  readonly infra: { readonly mode: "dir" | "file"; readonly path: string };
  /** Text of a path now and at the base (null: absent there). */
  readonly textNow: (path: string) => string | null;
  readonly textAtBase: (path: string) => string | null;
  /** Domains the estate declares now. */
  readonly declared: ReadonlySet<string>;
}

function topKeys(text: string | null): string[] | undefined {
  if (text === null) return [];
  try {
    const v = parse(text) as unknown;
    if (v === null || v === undefined) return [];
    if (typeof v !== "object" || Array.isArray(v)) return undefined;
    return Object.keys(v);
  } catch {
    return undefined;
  }
}

export function selectChanged(input: ChangedInput): ChangedSelection {
  const all = (why: string): ChangedSelection => ({ all: true, domains: [], why });
  const infra = input.infra.path.replace(/\/+$/, "");
  const under = input.changed.filter((p) => p === infra || p.startsWith(`${infra}/`));
  if (input.infra.mode === "file") return under.length ? all(`${infra} changed`) : none();
  const domains = new Set<string>();
  for (const path of under) {
    const rel = path.slice(infra.length + 1);
    if (!/^domains\/[^/]+\.ya?ml$/.test(rel)) return all(`${path} changed`);
    for (const text of [input.textNow(path), input.textAtBase(path)]) {
      const keys = topKeys(text);
      if (keys === undefined) return all(`${path} is not a mapping of domains`);
      for (const k of keys) domains.add(k);
    }
  }
  const removed = [...domains].filter((d) => !input.declared.has(d));
  if (removed.length > 0) return all(`domain(s) ${removed.join(", ")} removed`);
  return { all: false, domains: [...domains].sort() };
}

function none(): ChangedSelection {
  return { all: false, domains: [] };
}
