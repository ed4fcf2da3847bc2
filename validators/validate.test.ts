// validateInfra: schema then rules, everything at once, located, sorted; --strict; the result.
import { describe, expect, it, vi } from "vitest";
import { codes, found, loadText, validateDir, validateText, yml } from "../tests/kit/infra.js";
import { validateInfra } from "./validate.js";

describe("validateInfra", () => {
  it("accepts a valid estate: ok, the document and counts", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            w1: {}
            w2: {}
        db: {}
    `;

    const r = validateText(text);

    expect(r.ok).toBe(true);
    expect(r.diagnostics).toEqual([]);
    expect(r.document?.project_name).toBe("t");
    expect(r.stats).toEqual({ files: 1, domains: 2, machines: 2 });
  });

  it("reports every problem in one pass, sorted by position", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        Web:
          machines:
            w1: {ip: 10.120.9.1}
        db:
          trust_level: trusty
          machines:
            w1: {}
      network_policies:
        - {from: db, to: nowhere}
    `;

    const r = validateText(text);

    expect(found(r)).toEqual([
      { code: "PLB201", severity: "error", at: "infra.yml:5:3" },
      { code: "PLB302", severity: "error", at: "infra.yml:7:16" },
      { code: "PLB103", severity: "error", at: "infra.yml:9:18" },
      { code: "PLB203", severity: "error", at: "infra.yml:11:7" },
      { code: "PLB402", severity: "error", at: "infra.yml:13:20" },
    ]);
    expect(r.ok).toBe(false);
    expect(r.document).toBeUndefined();
  });

  it("is ok with warnings only; --strict makes them errors", () => {
    const text = "project_name: t\nglobal:\n  addressing: {}\n  colour: blue\ndomains: {}\n";

    expect(validateText(text, { allowUnknownKeys: true })).toMatchObject({ ok: true });
    expect(validateText(text)).toMatchObject({ ok: false });
    expect(found(validateText(text, { strict: true, allowUnknownKeys: true }))).toEqual([
      { code: "PLB106", severity: "error", at: "infra.yml:4:3" },
    ]);
  });

  it("stops after the loader when the document cannot be read", () => {
    const r = validateText("project_name: t\nproject_name: u\n");

    expect(codes(r.diagnostics)).toEqual(["PLB007"]);
    expect(r.ok).toBe(false);
    expect(r.stats).toEqual({ files: 1, domains: 0, machines: 0 });
  });

  it("sorts directory-mode diagnostics by file, then position", () => {
    const r = validateDir({
      "base.yml": "project_name: t\nglobal:\n  addressing: {}\n  gpu_policy: no\n",
      "domains/b.yml": "b:\n  machines:\n    B1: {}\n",
      "domains/a.yml": "a:\n  trust_level: x\n",
    });

    expect(found(r)).toEqual([
      { code: "PLB103", severity: "error", at: "infra/base.yml:4:15" },
      { code: "PLB103", severity: "error", at: "infra/domains/a.yml:2:16" },
      { code: "PLB201", severity: "error", at: "infra/domains/b.yml:3:5" },
    ]);
    expect(r.stats.files).toBe(3);
  });

  it("turns a crashing rule into PLB999 instead of throwing", async () => {
    vi.resetModules();
    vi.doMock("./rules/index.js", () => ({
      RULES: {
        broken: () => {
          throw new Error("boom");
        },
      },
    }));
    const { validateInfra: isolated } = await import("./validate.js");

    const r = isolated(loadText("project_name: t\nglobal: {}\ndomains: {}\n"));

    expect(codes(r.diagnostics)).toEqual(["PLB999"]);
    expect(r.diagnostics[0]?.message).toContain("broken");
    expect(r.ok).toBe(false);
    vi.doUnmock("./rules/index.js");
    vi.resetModules();
  });

  it("does not mutate the loaded infra", () => {
    const loaded = loadText("project_name: t\nglobal: {}\ndomains:\n  a: {}\n");
    const before = JSON.stringify(loaded.document);

    validateInfra(loaded, { strict: true });

    expect(JSON.stringify(loaded.document)).toBe(before);
  });
});
