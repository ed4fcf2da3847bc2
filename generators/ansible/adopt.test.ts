// Adoption of a file without a managed section: the section goes in, every other byte stays, the
// result is one YAML document; keys set twice are refused naming both lines. Properties: adopting
// is idempotent (the next run finds the file unchanged) and preserves everything outside markers.
import fc from "fast-check";
import jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { adoptFile } from "./adopt.js";
import { MANAGED_BEGIN, MANAGED_END, parseManagedFile, renderSection } from "./managed-section.js";
import { planWrites } from "./plan-writes.js";
import type { RenderedTree } from "./render.js";

const BODY = "instance_name: web-1\ninstance_type: lxc\n";
const tree = (body = BODY): RenderedTree => ({
  files: new Map([["host_vars/web-1.yml", body]]),
  domains: new Set(["web"]),
  machines: new Set(["web-1"]),
});
const plan = (existing: string, body = BODY) =>
  planWrites(tree(body), new Map([["host_vars/web-1.yml", existing]])).actions[0];
const adoptedUpdate = (existing: string, body = BODY) => {
  const a = plan(existing, body);
  if (a?.kind !== "update") throw new Error(`expected an update, got ${JSON.stringify(a)}`);
  return a;
};

describe("adopting a file without markers", () => {
  it("inserts the section after a leading `---`, keeping the rest byte for byte", () => {
    const mine = "---\n# my vars\nmy_var: 1\nlist:\n  - a\n";

    const a = adoptedUpdate(mine);

    expect(a.adopted).toBe(true);
    expect(a.after).toBe(`---\n${renderSection(BODY)}\n\n# my vars\nmy_var: 1\nlist:\n  - a\n`);
    expect(jsyaml.loadAll(a.after)).toHaveLength(1);
    expect(jsyaml.load(a.after)).toEqual({
      instance_name: "web-1",
      instance_type: "lxc",
      my_var: 1,
      list: ["a"],
    });
  });

  it("adds `---` and the section on top of a file without one (anklume's layout)", () => {
    expect(adoptedUpdate("my_var: 1\n").after).toBe(`---\n${renderSection(BODY)}\n\nmy_var: 1\n`);
  });

  it("keeps comments above the leading `---` above it", () => {
    const a = adoptedUpdate("# owned by ops\n---\nmy_var: 1\n");
    expect(a.after).toBe(`# owned by ops\n---\n${renderSection(BODY)}\n\nmy_var: 1\n`);
  });

  it("adopts an empty file", () => {
    expect(adoptedUpdate("").after).toBe(`---\n${renderSection(BODY)}\n\n`);
  });

  it("refuses a key set both by the user and by the section, naming both lines (PLB609)", () => {
    const a = plan("---\nmy_var: 1\ninstance_type: vm\n");

    expect(a?.kind).toBe("conflict");
    if (a?.kind !== "conflict") return;
    expect(a.conflict).toMatchObject({ code: "PLB609", line: 3 });
    expect(a.conflict.message).toContain("at line 3");
    const adopted = `---\n${renderSection(BODY)}\n`.split("\n");
    const managedLine = adopted.indexOf("instance_type: lxc") + 1;
    expect(a.conflict.message).toContain(`its line ${managedLine} after adoption`);
  });

  it("refuses several documents, a list, and broken YAML (PLB610)", () => {
    for (const text of ["a: 1\n---\nb: 2\n", "- a\n- b\n", "a: [\n"]) {
      const a = plan(text);
      expect(a?.kind === "conflict" && a.conflict.code, text).toBe("PLB610");
    }
  });

  it("is reported as a change by --check (an update), and the next run is unchanged", () => {
    const first = adoptedUpdate("---\nmy_var: 1\n");
    expect(plan(first.after)?.kind).toBe("unchanged");
  });
});

const userKey = fc
  .stringMatching(/^[a-z][a-z0-9_]{0,10}$/)
  .filter((k) => !k.startsWith("instance_"));
const userValue = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.stringMatching(/^[a-zA-Z0-9 ._-]{0,20}$/),
  fc.array(fc.stringMatching(/^[a-z0-9]{1,8}$/), { maxLength: 3 }),
);
const userFile = fc
  .record({
    comment: fc.option(fc.stringMatching(/^[ -~]{0,30}$/), { nil: undefined }),
    dashes: fc.boolean(),
    vars: fc.dictionary(userKey, userValue, { maxKeys: 5 }),
    crlf: fc.constant(false),
  })
  .map(({ comment, dashes, vars }) => {
    const body = Object.keys(vars).length ? jsyaml.dump(vars) : "";
    return `${comment === undefined ? "" : `# ${comment}\n`}${dashes ? "---\n" : ""}${body}`;
  });
const managedBody = fc
  .dictionary(
    fc.constantFrom("instance_name", "instance_type", "instance_ip", "instance_roles"),
    fc.stringMatching(/^[a-z0-9.-]{1,12}$/),
    { minKeys: 1 },
  )
  .map((d) => jsyaml.dump(d));

describe("adoption properties", () => {
  it("is idempotent and keeps everything outside the markers", () => {
    fc.assert(
      fc.property(userFile, managedBody, managedBody, (mine, body, body2) => {
        const first = adoptFile(mine, renderSection(body), body.trimEnd());
        expect(first.ok).toBe(true);
        if (!first.ok) return;
        // One document, the user's values intact.
        const doc = jsyaml.load(first.after) as Record<string, unknown>;
        const own = (jsyaml.load(mine) ?? {}) as Record<string, unknown>;
        for (const [k, v] of Object.entries(own)) expect(doc[k]).toEqual(v);
        // Everything outside the markers is the original text (plus the inserted `---`/gap).
        const parsed = parseManagedFile(first.after);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const outside =
          first.after.slice(0, parsed.section.start) + first.after.slice(parsed.section.end);
        const dashes = /^---$/m.test(mine);
        expect(outside).toBe(dashes ? mine.replace(/^---\n/m, "---\n\n\n") : `---\n\n\n${mine}`);
        // Idempotent: the same estate finds the file unchanged; a new one changes the section only.
        expect(plan(first.after, body)?.kind).toBe("unchanged");
        const again = plan(first.after, body2);
        if (again?.kind === "update") {
          const p2 = parseManagedFile(again.after);
          if (!p2.ok) throw new Error("markers lost");
          expect(again.after.slice(0, p2.section.start) + again.after.slice(p2.section.end)).toBe(
            outside,
          );
        } else expect(again?.kind).toBe("unchanged");
        expect(first.after.split(MANAGED_BEGIN)).toHaveLength(2);
        expect(first.after.split(MANAGED_END)).toHaveLength(2);
      }),
      { numRuns: 200 },
    );
  });
});
