// Properties of `plumb generate`'s pure core on arbitrary valid estates: idempotence, user text
// preserved around the section, independence from declaration and file order, one inventory
// entry and a unique IP per machine, and directory mode ≡ single-file mode.
import fc from "fast-check";
import jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { buildEstate } from "../../core/model/estate.js";
import type { LoadedInfra } from "../../core/source/infra-source.js";
import {
  CUSTOM_FOOTER,
  newFileText,
  renderSection,
} from "../../generators/ansible/managed-section.js";
import { planWrites } from "../../generators/ansible/plan-writes.js";
import { type RenderedTree, renderAnsibleTree } from "../../generators/ansible/render.js";
import { validateInfra } from "../../validators/validate.js";
import { loadDir, loadText } from "../kit/infra.js";

const LEVELS = ["admin", "trusted", "semi-trusted", "untrusted", "disposable"] as const;
const OFFSET = { admin: 0, trusted: 10, "semi-trusted": 20, untrusted: 40, disposable: 50 };

const text = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 16 }),
  fc.constantFrom("yes", "0777", "a: b", "#x", " lead", "é — ok", "{{ v }}", "line\nbreak"),
);

interface Spec {
  readonly name: string;
  readonly level: (typeof LEVELS)[number];
  readonly enabled: boolean;
  readonly ephemeral: boolean | undefined;
  readonly description: string;
  readonly machines: readonly {
    readonly name: string;
    readonly vm: boolean;
    readonly explicitIp: boolean;
    readonly ephemeral: boolean | undefined;
    readonly description: string;
    readonly roles: readonly string[];
  }[];
}

// Domain names start with d and machine names with m, so they never collide (PLB204).
const estates = fc
  .uniqueArray(fc.stringMatching(/^d[a-z0-9]{0,6}$/), { minLength: 1, maxLength: 5 })
  .chain((names) =>
    fc.tuple(
      ...names.map((name) =>
        fc.record({
          name: fc.constant(name),
          level: fc.constantFrom(...LEVELS),
          enabled: fc.boolean(),
          ephemeral: fc.option(fc.boolean(), { nil: undefined }),
          description: text,
          machines: fc.uniqueArray(
            fc.record({
              name: fc.stringMatching(/^m[a-z0-9]{0,5}$/).map((m) => `${m}-${name}`),
              vm: fc.boolean(),
              explicitIp: fc.boolean(),
              ephemeral: fc.option(fc.boolean(), { nil: undefined }),
              description: text,
              roles: fc.array(text, { maxLength: 2 }),
            }),
            { maxLength: 4, selector: (m) => m.name },
          ),
        }),
      ),
    ),
  )
  .map((specs): Spec[] => specs);

/** The infra document: zone mode, explicit subnet_id per domain so explicit IPs can be chosen. */
function documentOf(specs: readonly Spec[]) {
  const domains: Record<string, unknown> = {};
  specs.forEach((d, i) => {
    const prefix = `10.${100 + OFFSET[d.level]}.${i}`;
    const machines: Record<string, unknown> = {};
    d.machines.forEach((m, j) => {
      machines[m.name] = {
        description: m.description,
        type: m.vm ? "vm" : "lxc",
        ...(m.explicitIp ? { ip: `${prefix}.${200 + j}` } : {}),
        ...(m.ephemeral === undefined ? {} : { ephemeral: m.ephemeral }),
        roles: m.roles,
      };
    });
    domains[d.name] = {
      description: d.description,
      trust_level: d.level,
      subnet_id: i,
      enabled: d.enabled,
      ...(d.ephemeral === undefined ? {} : { ephemeral: d.ephemeral }),
      machines,
    };
  });
  const names = specs.map((d) => d.name);
  return {
    project_name: "prop",
    global: { addressing: { base_octet: 10, zone_base: 100 }, default_os_image: "images:x/1" },
    domains,
    network_policies: names.slice(1).map((to, i) => ({ from: names[i], to, ports: [22] })),
  };
}

function treeOf(loaded: LoadedInfra): RenderedTree {
  const r = validateInfra(loaded);
  if (!r.ok || r.document === undefined)
    throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return renderAnsibleTree(buildEstate(r.document));
}

const fileMode = (doc: unknown) => treeOf(loadText(stringify(doc)));

function dirMode(doc: ReturnType<typeof documentOf>, order: readonly number[]) {
  const { domains, network_policies, ...base } = doc;
  const names = Object.keys(domains);
  const files: Record<string, string> = { "base.yml": stringify(base) };
  // File names sort like the declaration order, so the merged order is the same.
  for (const i of order) {
    const name = names[i] as string;
    files[`domains/${String(i).padStart(3, "0")}-${name}.yml`] = stringify({
      [name]: domains[name],
    });
  }
  files["policies.yml"] = stringify({ network_policies });
  return treeOf(loadDir(files));
}

/** Applies a plan in memory: the tree as it would be on disk afterwards. */
function applied(tree: RenderedTree, existing: ReadonlyMap<string, string>) {
  const next = new Map(existing);
  for (const a of planWrites(tree, existing).actions) {
    if (a.kind === "create" || a.kind === "update") next.set(a.path, a.after);
    if (a.kind === "conflict") throw new Error(`${a.path}: ${a.conflict.message}`);
  }
  return next;
}

const RUNS = { numRuns: 50 };

describe("plumb generate (properties)", () => {
  it("generating twice writes nothing the second time", () => {
    fc.assert(
      fc.property(estates, (specs) => {
        const tree = fileMode(documentOf(specs));
        const once = applied(tree, new Map());
        const second = planWrites(tree, once);
        expect(second.actions.every((a) => a.kind === "unchanged")).toBe(true);
        expect(second.orphans).toEqual([]);
      }),
      RUNS,
    );
  });

  it("keeps arbitrary user text before and after the managed section byte for byte", () => {
    const userText = fc
      .string({ unit: "grapheme", maxLength: 60 })
      .filter((s) => !s.includes("# === "));
    fc.assert(
      fc.property(estates, estates, userText, userText, (oldSpecs, newSpecs, before, after) => {
        // Given files generated for one estate, wrapped in the user's own text
        const oldTree = fileMode(documentOf(oldSpecs));
        const existing = new Map(
          [...applied(oldTree, new Map())].map(([p, t]) => [p, `${before}\n${t}${after}`]),
        );
        // When another estate is generated over them
        const newTree = fileMode(documentOf(newSpecs));
        const plan = planWrites(newTree, existing);
        // Then each file is the user's text around the new section, nothing else changed
        for (const a of plan.actions) {
          const body = newTree.files.get(a.path) as string;
          const expected = existing.has(a.path)
            ? `${before}\n---\n${renderSection(body)}\n\n${CUSTOM_FOOTER}\n${after}`
            : newFileText(renderSection(body));
          if (a.kind === "unchanged") expect(existing.get(a.path)).toBe(expected);
          else if (a.kind === "create" || a.kind === "update") expect(a.after).toBe(expected);
          else throw new Error(`unexpected conflict on ${a.path}`);
        }
      }),
      RUNS,
    );
  });

  it("does not depend on the order domains are declared or files are listed", () => {
    fc.assert(
      fc.property(
        estates.chain((s) =>
          fc.tuple(fc.constant(s), fc.shuffledSubarray(s, { minLength: s.length })),
        ),
        ([specs, shuffled]) => {
          const doc = documentOf(specs);
          const reordered = {
            ...doc,
            domains: Object.fromEntries(shuffled.map((d) => [d.name, doc.domains[d.name]])),
          };
          const reference = fileMode(doc).files;
          expect(fileMode(reordered).files).toEqual(reference);
          const listing = shuffled.map((d) => specs.indexOf(d));
          expect(dirMode(doc, listing).files).toEqual(reference);
        },
      ),
      RUNS,
    );
  });

  it("directory mode and single-file mode produce the same tree", () => {
    fc.assert(
      fc.property(estates, (specs) => {
        const doc = documentOf(specs);
        const tree = dirMode(
          doc,
          specs.map((_, i) => i),
        );
        expect(tree.files).toEqual(fileMode(doc).files);
      }),
      RUNS,
    );
  });

  it("puts every machine of an enabled domain in exactly one inventory, with a unique IP", () => {
    fc.assert(
      fc.property(estates, (specs) => {
        const tree = fileMode(documentOf(specs));
        const seen = new Map<string, string>();
        for (const [path, body] of tree.files) {
          if (!path.startsWith("inventory/")) continue;
          const inv = jsyaml.load(body) as {
            all: {
              children: Record<string, { hosts: Record<string, { ansible_host: string }> | null }>;
            };
          };
          for (const group of Object.values(inv.all.children))
            for (const [host, vars] of Object.entries(group.hosts ?? {})) {
              expect(seen.has(host), `${host} in two inventories`).toBe(false);
              seen.set(host, vars.ansible_host);
            }
        }
        const expected = specs
          .filter((d) => d.enabled)
          .flatMap((d) => d.machines.map((m) => m.name));
        expect([...seen.keys()].sort()).toEqual(expected.sort());
        const ips = [...seen.values()];
        expect(ips.every((ip) => /^10\.\d+\.\d+\.\d+$/.test(ip))).toBe(true);
        expect(new Set(ips).size).toBe(ips.length);
      }),
      RUNS,
    );
  });
});
