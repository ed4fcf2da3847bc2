// Generated files as plan entries: hashes and line counts, never contents; unchanged files left out.
import { describe, expect, it } from "vitest";
import type { WritePlan } from "../../generators/ansible/plan-writes.js";
import { fileChangesOf } from "./plan-files.js";

describe("fileChangesOf", () => {
  it("lists creates, updates, conflicts and orphans by path, without file contents", () => {
    const plan: WritePlan = {
      version: 1,
      actions: [
        { kind: "unchanged", path: "group_vars/all.yml" },
        { kind: "update", path: "inventory/web.yml", before: "a\nb\n", after: "a\nc\nd\n" },
        { kind: "create", path: "host_vars/w3.yml", after: "x: 1\nsecret: hunter2\n" },
        {
          kind: "conflict",
          path: "host_vars/w1.yml",
          before: "y\n",
          conflict: { code: "PLB603", message: "hand edits", hint: "", line: 3 },
        },
      ],
      orphans: [
        { path: "host_vars/old.yml", dir: "host_vars", protected: false, customText: false },
      ],
    };
    const files = fileChangesOf(plan);
    expect(files.map((f) => `${f.action} ${f.path}`)).toEqual(
      [
        "create host_vars/w3.yml",
        "orphan host_vars/old.yml",
        "conflict host_vars/w1.yml",
        "update inventory/web.yml",
      ].sort((a, b) => (a.split(" ")[1] as string).localeCompare(b.split(" ")[1] as string)),
    );
    expect(files.find((f) => f.action === "update")).toMatchObject({ added: 2, removed: 1 });
    expect(JSON.stringify(files)).not.toContain("hunter2");
  });
});
