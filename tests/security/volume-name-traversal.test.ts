// Attack: a pull request names a shared volume `../../etc`. Before the fix it validated and
// `plumb generate` wrote `source: /srv/anklume/shares/../../etc` as a read-write host mount.
// Now validation refuses the name, and the generator refuses to build such a path even when
// handed an unvalidated document (defence in depth); the built CLI writes nothing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PlumbError } from "../../core/errors.js";
import { buildEstate } from "../../core/model/estate.js";
import type { InfraDocument } from "../../core/model/infra.js";
import { renderAnsibleTree } from "../../generators/ansible/render.js";
import { found, validateValue } from "../kit/infra.js";

const PLUMB = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");

const estate = (volumes: Record<string, unknown>, extraMachine: Record<string, unknown> = {}) => ({
  project_name: "t",
  global: { addressing: { base_octet: 10 } },
  domains: { web: { machines: { "web-1": extraMachine } } },
  shared_volumes: volumes,
});

const TRAVERSALS = ["../../etc", "..", "a/b", "a/../../etc", ".hidden", "/etc"];

describe("a path-traversal name for a shared volume", () => {
  it.each(TRAVERSALS)("is refused at validate: %s", (name) => {
    const r = validateValue(estate({ [name]: { consumers: { web: "rw" } } }));

    expect(r.ok).toBe(false);
    expect(found(r).map((f) => f.code)).toContain("PLB201");
  });

  it.each(TRAVERSALS)("is refused by the generator on an unvalidated document: %s", (name) => {
    const doc = estate({ [name]: { consumers: { web: "rw" } } }) as unknown as InfraDocument;

    const attempt = () => renderAnsibleTree(buildEstate(doc));

    expect(attempt).toThrow(PlumbError);
    expect(attempt).toThrow(/base directory|refusing/);
  });

  it("a persistent-data name cannot leave persistent_data_base either", () => {
    const doc = estate({}, { persistent_data: { "../../root": { path: "/data" } } });

    expect(validateValue(doc).ok).toBe(false);
    expect(() => buildEstate(doc as unknown as InfraDocument)).toThrow(PlumbError);
  });

  it("a base with `..` segments is refused at validate", () => {
    const doc = { ...estate({ v: { consumers: { web: "ro" } } }) };
    (doc.global as Record<string, unknown>).shared_volumes_base = "/srv/../etc";

    const r = validateValue(doc);

    expect(found(r).map((f) => f.code)).toEqual(["PLB105"]);
  });

  it("the built CLI refuses it and writes no Ansible file", () => {
    const dir = mkdtempSync(join(tmpdir(), "plumb-sec-"));
    mkdirSync(join(dir, ".git"));
    writeFileSync(
      join(dir, "infra.yml"),
      'project_name: t\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  web:\n    machines:\n      web-1: {}\nshared_volumes:\n  "../../etc": {consumers: {web: rw}}\n',
    );

    const r = spawnSync(process.execPath, [PLUMB, "generate"], { cwd: dir, encoding: "utf8" });

    expect(r.status).toBe(1);
    expect(r.stderr).toContain("PLB201");
    expect(existsSync(join(dir, "host_vars"))).toBe(false);
  });
});
