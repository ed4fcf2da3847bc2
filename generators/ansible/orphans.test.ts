import { describe, expect, it } from "vitest";
import { newFileText, renderSection } from "./managed-section.js";
import { findOrphans, hasCustomText, isProtected } from "./orphans.js";

const known = { domains: new Set(["web", "off"]), machines: new Set(["web-1"]) };
const file = (body: string) => newFileText(renderSection(body));

describe("findOrphans", () => {
  it("lists files of undeclared domains and machines only, sorted", () => {
    const existing = new Map([
      ["inventory/web.yml", file("x: 1\n")],
      ["inventory/old.yml", file("x: 1\n")],
      ["group_vars/all.yml", file("x: 1\n")],
      ["group_vars/off.yml", file("x: 1\n")],
      ["group_vars/gone.yml", file("domain_ephemeral: true\n")],
      ["host_vars/web-1.yml", file("x: 1\n")],
      ["host_vars/web-9.yml", file("instance_ephemeral: false\n")],
      ["host_vars/all.yml", file("x: 1\n")],
    ]);
    expect(findOrphans(existing, known).map((o) => [o.path, o.protected])).toEqual([
      ["group_vars/gone.yml", false],
      ["host_vars/all.yml", false],
      ["host_vars/web-9.yml", true],
      ["inventory/old.yml", false],
    ]);
  });

  it("ignores files that are not *.yml directly in the three folders", () => {
    const existing = new Map([
      ["inventory/old.yaml", ""],
      ["other/old.yml", ""],
      ["host_vars/sub/old.yml", ""],
    ]);
    expect(findOrphans(existing, known)).toEqual([]);
  });
});

describe("isProtected (anklume's _is_orphan_protected)", () => {
  it("protects a file whose ephemeral key is false, the domain key first", () => {
    expect(isProtected("domain_ephemeral: false\n")).toBe(true);
    expect(isProtected("domain_ephemeral: true\n")).toBe(false);
    expect(isProtected("instance_ephemeral: false\n")).toBe(true);
    expect(isProtected("instance_ephemeral: true\n")).toBe(false);
    expect(isProtected("domain_ephemeral: true\ninstance_ephemeral: false\n")).toBe(false);
    expect(isProtected("instance_ephemeral: false\ndomain_ephemeral: true\n")).toBe(false);
  });

  it("reads YAML 1.1 false words as PyYAML does (deleting is the risky side)", () => {
    expect(isProtected("instance_ephemeral: no\n")).toBe(true);
    expect(isProtected("instance_ephemeral: Off\n")).toBe(true);
  });

  it("does not protect files without the key, unparsable, or not a mapping", () => {
    for (const text of ["all:\n  children: {}\n", "a: [\n", "- 1\n", "just text\n", ""])
      expect(isProtected(text), text).toBe(false);
  });
});

describe("hasCustomText", () => {
  it("is false for a file as plumb writes it, true once the user adds variables", () => {
    const f = file("x: 1\n");
    expect(hasCustomText(f)).toBe(false);
    expect(hasCustomText(`${f}my_var: 1\n`)).toBe(true);
    expect(hasCustomText(`# note\n${f}`)).toBe(true);
  });
});
