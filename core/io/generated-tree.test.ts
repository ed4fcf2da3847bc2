import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PlumbError } from "../errors.js";
import { applyToTree, readGeneratedTree } from "./generated-tree.js";

function tree(files: Record<string, string | Buffer>): string {
  const d = mkdtempSync(join(tmpdir(), "plumb-tree-"));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(d, rel, ".."), { recursive: true });
    writeFileSync(join(d, rel), content);
  }
  return d;
}

describe("readGeneratedTree", () => {
  it("reads *.yml directly in the three folders, and notes stray temporary files", () => {
    const d = tree({
      "inventory/web.yml": "a\n",
      "group_vars/all.yml": "b\n",
      "host_vars/.web-1.yml.123-abcd.plumb-tmp": "half",
      "host_vars/notes.txt": "x",
      "host_vars/.hidden.yml": "x",
      "other/x.yml": "x",
    });
    mkdirSync(join(d, "group_vars", "web"));
    const t = readGeneratedTree(d);
    expect([...t.files]).toEqual([
      ["inventory/web.yml", "a\n"],
      ["group_vars/all.yml", "b\n"],
    ]);
    expect(t.strayTemps).toEqual(["host_vars/.web-1.yml.123-abcd.plumb-tmp"]);
  });

  it("is empty when nothing was generated yet", () => {
    expect(readGeneratedTree(tree({})).files.size).toBe(0);
  });

  it("keeps a byte-order mark and refuses invalid UTF-8 (PLB608) rather than mangle it", () => {
    const bom = tree({ "inventory/a.yml": "\ufeffx: 1\n" });
    expect(readGeneratedTree(bom).files.get("inventory/a.yml")).toBe("\ufeffx: 1\n");
    const bad = tree({ "inventory/a.yml": Buffer.from([0x78, 0xff, 0x0a]) });
    expect(() => readGeneratedTree(bad)).toThrow(PlumbError);
    try {
      readGeneratedTree(bad);
    } catch (e) {
      expect((e as PlumbError).code).toBe("PLB608");
    }
  });
});

describe("applyToTree", () => {
  it("creates folders, writes, deletes orphans and stray temporary files", async () => {
    const d = tree({ "host_vars/old.yml": "x", "host_vars/.a.yml.1-2.plumb-tmp": "half" });
    await applyToTree(d, {
      writes: [{ path: "inventory/web.yml", content: "new\n" }],
      deletes: ["host_vars/old.yml"],
      strayTemps: ["host_vars/.a.yml.1-2.plumb-tmp"],
    });
    expect(readFileSync(join(d, "inventory/web.yml"), "utf8")).toBe("new\n");
    expect(existsSync(join(d, "host_vars/old.yml"))).toBe(false);
    expect(existsSync(join(d, "host_vars/.a.yml.1-2.plumb-tmp"))).toBe(false);
  });

  it("reports a folder that cannot be created as PLB608", async () => {
    const d = tree({ inventory: "a file where a folder should be" });
    await expect(
      applyToTree(d, {
        writes: [{ path: "inventory/web.yml", content: "x" }],
        deletes: [],
        strayTemps: [],
      }),
    ).rejects.toMatchObject({ code: "PLB608" });
  });
});
