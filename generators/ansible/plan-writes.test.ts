import { describe, expect, it } from "vitest";
import { MANAGED_BEGIN, MANAGED_END, newFileText, renderSection } from "./managed-section.js";
import { countActions, type FileAction, formatLines, planWrites } from "./plan-writes.js";
import type { RenderedTree } from "./render.js";

const tree = (files: Record<string, string>, machines: string[] = []): RenderedTree => ({
  files: new Map(Object.entries(files)),
  domains: new Set(["web"]),
  machines: new Set(machines),
});

const newText = (a: FileAction | undefined) =>
  a && (a.kind === "create" || a.kind === "update") ? a.after : undefined;

describe("planWrites", () => {
  const rendered = tree({ "group_vars/web.yml": "a: 1\nb: 2\n" });

  it("creates a missing file with anklume's new-file layout", () => {
    const plan = planWrites(rendered, new Map());
    expect(plan.version).toBe(1);
    expect(plan.actions).toEqual([
      {
        kind: "create",
        path: "group_vars/web.yml",
        after: newFileText(renderSection("a: 1\nb: 2\n")),
      },
    ]);
  });

  it("leaves an up-to-date file unchanged, text around the section included", () => {
    const first = newText(planWrites(rendered, new Map()).actions[0]) as string;
    const withUser = `# top\n${first}mine: 1\n`;
    const plan = planWrites(rendered, new Map([["group_vars/web.yml", withUser]]));
    expect(plan.actions[0]?.kind).toBe("unchanged");
  });

  it("updates only the section of a stale file", () => {
    const old = `# top\n${newFileText(renderSection("a: 0\n"))}mine: 1\n`;
    const plan = planWrites(rendered, new Map([["group_vars/web.yml", old]]));
    expect(plan.actions[0]?.kind).toBe("update");
    expect(newText(plan.actions[0])).toBe(
      `# top\n---\n${renderSection("a: 1\nb: 2\n")}\n\n# Your custom variables below:\nmine: 1\n`,
    );
  });

  it("refuses a section edited by hand (PLB604), pointing at the edited line", () => {
    const generated = newFileText(renderSection("a: 1\nb: 2\n"));
    const edited = generated.replace("b: 2", "b: 3");
    const plan = planWrites(rendered, new Map([["group_vars/web.yml", edited]]));
    const a = plan.actions[0];
    expect(a?.kind).toBe("conflict");
    if (a?.kind !== "conflict") return;
    const line = edited.split("\n").indexOf("b: 3") + 1;
    expect(a.conflict).toMatchObject({
      code: "PLB604",
      line,
      handEdit: { lines: [line], exact: true },
    });
  });

  it("overwrites hand edits with force, saying which lines", () => {
    const edited = newFileText(renderSection("a: 1\nb: 2\n")).replace("a: 1", "a: 9");
    const plan = planWrites(rendered, new Map([["group_vars/web.yml", edited]]), { force: true });
    const a = plan.actions[0];
    expect(a?.kind === "update" && a.forced?.lines.length).toBe(1);
    expect(newText(a)).toBe(newFileText(renderSection("a: 1\nb: 2\n")));
  });

  it("marks an edit as inexact when the estate changed too", () => {
    const edited = newFileText(renderSection("a: 0\nb: 2\n")).replace("b: 2", "b: 3");
    const plan = planWrites(rendered, new Map([["group_vars/web.yml", edited]]));
    const a = plan.actions[0];
    expect(a?.kind === "conflict" && a.conflict.handEdit?.exact).toBe(false);
  });

  it("rewrites a section without hash (anklume's) and says it could not check it", () => {
    const anklume = `---\n${MANAGED_BEGIN}\n# notice\nold: 1\n${MANAGED_END}\n\nmine: 1\n`;
    const a = planWrites(rendered, new Map([["group_vars/web.yml", anklume]])).actions[0];
    expect(a?.kind === "update" && a.unverified).toBe(true);
    expect(newText(a)?.endsWith("\n\nmine: 1\n")).toBe(true);
  });

  it("turns marker problems (and a file it cannot adopt) into conflicts with their code", () => {
    const plan = planWrites(
      tree({ "a/x.yml": "x: 1\n", "a/y.yml": "y: 1\n" }),
      new Map([
        ["a/x.yml", "no markers\n"],
        ["a/y.yml", `${MANAGED_END}\n${MANAGED_BEGIN}\n`],
      ]),
    );
    expect(plan.actions.map((a) => (a.kind === "conflict" ? a.conflict.code : a.kind))).toEqual([
      "PLB610",
      "PLB603",
    ]);
  });

  it("counts actions and orphans", () => {
    const plan = planWrites(
      tree({ "host_vars/a.yml": "x: 1\n", "host_vars/b.yml": "y: 1\n" }, ["a", "b"]),
      new Map([
        ["host_vars/a.yml", newFileText(renderSection("x: 1\n"))],
        ["host_vars/z.yml", newFileText(renderSection("z: 1\n"))],
      ]),
    );
    expect(countActions(plan)).toEqual({
      create: 1,
      update: 0,
      unchanged: 1,
      conflict: 0,
      orphaned: 1,
    });
  });
});

describe("formatLines", () => {
  it("compresses runs", () => {
    expect(formatLines([7])).toBe("line 7");
    expect(formatLines([3, 7, 8, 9])).toBe("lines 3, 7-9");
  });
});
