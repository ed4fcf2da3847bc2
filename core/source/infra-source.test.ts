// Loading an estate: one infra.yml, or infra/ (base.yml + domains/*.yml + policies.yml) merged
// with every value's provenance, so diagnostics name the file and line the user must edit.
import { describe, expect, it } from "vitest";
import {
  codes,
  found,
  loadDir,
  loadText,
  validateDir,
  validateText,
  yml,
} from "../../tests/kit/infra.js";
import { loadInfra } from "./infra-source.js";

const BASE = yml`
  project_name: t
  global:
    addressing: {base_octet: 10}
`;

describe("file mode", () => {
  it("returns the document and no diagnostics", () => {
    const loaded = loadText("project_name: t\nglobal: {}\ndomains: {}\n");

    expect(loaded.mode).toBe("file");
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.document).toEqual({ project_name: "t", global: {}, domains: {} });
    expect(loaded.source("infra.yml")?.file).toBe("infra.yml");
  });

  it("reports each syntax problem once", () => {
    for (const text of ["a: 1\na: 2\n", "a:\n\tb: 1\n", "a: b: c\n"]) {
      const loaded = loadText(text);

      expect(loaded.diagnostics).toHaveLength(1);
      expect(loaded.document).toBeUndefined();
    }
  });

  it.each([
    ["a list", "- a\n- b\n"],
    ["a string", "just text\n"],
    ["a number", "42\n"],
  ])("rejects a document that is %s (PLB009)", (_, text) => {
    const loaded = loadText(text);

    expect(found(loaded.diagnostics)).toEqual([
      { code: "PLB009", severity: "error", at: "infra.yml:1:1" },
    ]);
    expect(loaded.document).toBeUndefined();
  });

  it.each([
    ["empty", ""],
    ["comments only", "# todo\n"],
    ["null", "~\n"],
  ])("rejects an %s file (PLB005)", (_, text) => {
    const loaded = loadText(text);

    expect(found(loaded.diagnostics)).toEqual([
      { code: "PLB005", severity: "error", at: "infra.yml:1:1" },
    ]);
  });

  it("merges `<<` keys and strips a BOM", () => {
    const text = yml`
      \uFEFFproject_name: t
      global:
        addressing: {base_octet: 10}
      x-machine: &m {type: vm}
      domains:
        web:
          machines:
            w1:
              <<: *m
              ip: 10.120.0.300
    `;

    const r = validateText(text);

    expect(r.document).toBeUndefined();
    expect(found(r, "PLB301")).toEqual([
      { code: "PLB301", severity: "error", at: "infra.yml:10:13" },
    ]);
    expect(loadText(text).document).toMatchObject({
      domains: { web: { machines: { w1: { type: "vm", ip: "10.120.0.300" } } } },
    });
  });

  it("locates diagnostics correctly with CRLF line endings", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            w1: {ip: 10.9.9.9}
    `.replace(/\n/g, "\r\n");

    expect(found(validateText(text), "PLB302")).toEqual([
      { code: "PLB302", severity: "error", at: "infra.yml:7:16" },
    ]);
  });

  it("reads bytes, and reports invalid UTF-8 at its position (PLB003)", () => {
    const content = Uint8Array.from([...new TextEncoder().encode("project_name: "), 0xfe, 0x0a]);

    const loaded = loadInfra({ mode: "file", file: { path: "infra.yml", content } });

    expect(found(loaded.diagnostics)).toEqual([
      { code: "PLB003", severity: "error", at: "infra.yml:1:15" },
    ]);
  });

  it("refuses a file the reader marked as oversized (PLB004)", () => {
    const loaded = loadInfra({
      mode: "file",
      file: { path: "infra.yml", content: new Uint8Array(0), size: 64 * 1024 * 1024 },
    });

    expect(codes(loaded.diagnostics)).toEqual(["PLB004"]);
    expect(loaded.document).toBeUndefined();
  });
});

describe("directory mode", () => {
  const web = yml`
    web:
      machines:
        w1: {}
        w2:
          ip: 10.120.9.9
  `;

  it("merges base.yml, domains/*.yml in file-name order and policies.yml", () => {
    const loaded = loadDir({
      "base.yml": BASE,
      "domains/web.yml": web,
      "domains/db.yml": "db:\n  machines:\n    d1: {}\n",
      "policies.yml": "network_policies:\n  - {from: web, to: db}\n",
    });

    expect(loaded.mode).toBe("dir");
    expect(loaded.diagnostics).toEqual([]);
    expect(Object.keys(loaded.document?.domains as object)).toEqual(["db", "web"]);
    expect(loaded.document?.network_policies).toEqual([{ from: "web", to: "db" }]);
    expect(loaded.sources.map((s) => s.file)).toEqual([
      "infra/base.yml",
      "infra/domains/db.yml",
      "infra/domains/web.yml",
      "infra/policies.yml",
    ]);
  });

  it("locates an error inside domains/web.yml in that file, at the right line", () => {
    const r = validateDir({ "base.yml": BASE, "domains/web.yml": web });

    expect(found(r)).toEqual([
      { code: "PLB302", severity: "error", at: "infra/domains/web.yml:5:11" },
    ]);
  });

  it("locates errors in base.yml and policies.yml in those files", () => {
    const r = validateDir({
      "base.yml": "project_name: t\nglobal:\n  addressing: {base_octet: 10}\n  gpu_policy: any\n",
      "domains/web.yml": "web: {}\n",
      "policies.yml": "network_policies:\n  - {from: web, to: nowhere}\n",
    });

    expect(found(r)).toEqual([
      { code: "PLB103", severity: "error", at: "infra/base.yml:4:15" },
      { code: "PLB402", severity: "error", at: "infra/policies.yml:2:21" },
    ]);
  });

  it("locates machine-level rules (duplicate names) in the later domain file", () => {
    const r = validateDir({
      "base.yml": BASE,
      "domains/a.yml": "a:\n  machines:\n    app: {}\n",
      "domains/b.yml": "b:\n  machines:\n    app: {}\n",
    });

    expect(found(r)).toEqual([
      { code: "PLB203", severity: "error", at: "infra/domains/b.yml:3:5" },
    ]);
  });

  it("warns when a later file redefines a domain (PLB013), naming both places", () => {
    const loaded = loadDir({
      "base.yml": `${BASE}domains:\n  web: {}\n`,
      "domains/web.yml": "# again\nweb:\n  machines:\n    w1: {}\n",
    });

    expect(found(loaded.diagnostics)).toEqual([
      { code: "PLB013", severity: "warning", at: "infra/domains/web.yml:2:1" },
    ]);
    expect(loaded.diagnostics[0]?.message).toContain("infra/base.yml:5");
    // The later definition replaces the earlier one as a whole.
    expect(loaded.document?.domains).toEqual({ web: { machines: { w1: {} } } });
  });

  it("warns about a domain defined in two domain files", () => {
    const loaded = loadDir({
      "base.yml": BASE,
      "domains/a.yml": "web: {description: first}\n",
      "domains/b.yml": "web: {description: second}\n",
    });

    expect(found(loaded.diagnostics)).toEqual([
      { code: "PLB013", severity: "warning", at: "infra/domains/b.yml:1:1" },
    ]);
    expect(loaded.diagnostics[0]?.message).toContain("infra/domains/a.yml:1");
    expect(loaded.document?.domains).toEqual({ web: { description: "second" } });
  });

  it("warns about keys of policies.yml other than network_policies (PLB014)", () => {
    const loaded = loadDir({
      "base.yml": BASE,
      "policies.yml": "network_policies: []\ndomains: {}\nglobal: {}\n",
    });

    expect(found(loaded.diagnostics)).toEqual([
      { code: "PLB014", severity: "warning", at: "infra/policies.yml:2:1" },
      { code: "PLB014", severity: "warning", at: "infra/policies.yml:3:1" },
    ]);
    expect(loaded.diagnostics[0]?.hint).toContain("infra/domains/*.yml");
    expect(loaded.diagnostics[1]?.hint).toContain("infra/base.yml");
  });

  it("requires base.yml (PLB011), still reading the other files", () => {
    const loaded = loadDir({ "domains/web.yml": "web: [\n" });

    expect(found(loaded.diagnostics)).toEqual([
      { code: "PLB011", severity: "error", at: "infra/base.yml:1:1" },
      { code: "PLB006", severity: "error", at: "infra/domains/web.yml:2:1" },
    ]);
    expect(loaded.document).toBeUndefined();
  });

  it("accepts an empty domains file, an empty policies.yml and `network_policies: null`", () => {
    for (const policies of ["", "# none\n", "network_policies:\n"]) {
      const r = validateDir({
        "base.yml": BASE,
        "domains/empty.yml": "# nothing yet\n",
        "domains/web.yml": "web: {}\n",
        "policies.yml": policies,
      });

      expect(r.diagnostics).toEqual([]);
      expect(r.ok).toBe(true);
    }
  });

  it("rejects an empty base.yml (PLB005) and a domains file that is not a mapping (PLB009)", () => {
    const loaded = loadDir({ "base.yml": "", "domains/web.yml": "- web\n" });

    expect(found(loaded.diagnostics)).toEqual([
      { code: "PLB005", severity: "error", at: "infra/base.yml:1:1" },
      { code: "PLB009", severity: "error", at: "infra/domains/web.yml:1:1" },
    ]);
    expect(loaded.document).toBeUndefined();
  });

  it("rejects a policies.yml that is not a mapping (PLB009)", () => {
    const loaded = loadDir({ "base.yml": BASE, "policies.yml": "- {from: a, to: b}\n" });

    expect(found(loaded.diagnostics)).toEqual([
      { code: "PLB009", severity: "error", at: "infra/policies.yml:1:1" },
    ]);
    expect(loaded.document).toBeUndefined();
  });

  it("supports `<<` merge keys and CRLF in domain files", () => {
    const r = validateDir({
      "base.yml": BASE,
      "domains/web.yml":
        "x: &vm {type: vm}\r\nweb:\r\n  machines:\r\n    w1:\r\n      <<: *vm\r\n      ip: 10.120.9.1\r\n",
    });

    expect(found(r, "PLB302")).toEqual([
      { code: "PLB302", severity: "error", at: "infra/domains/web.yml:6:11" },
    ]);
  });

  it("keeps a `__proto__` domain key as a domain, so it is judged like any other name", () => {
    const r = validateDir({
      "base.yml": BASE,
      "domains/odd.yml": "__proto__:\n  machines:\n    o1: {}\n",
    });

    expect(found(r)).toEqual([
      { code: "PLB201", severity: "error", at: "infra/domains/odd.yml:1:1" },
    ]);
  });

  it("treats `__proto__` as a domain name in file mode too", () => {
    const r = validateText(`${BASE}domains:\n  __proto__: {}\n`);

    expect(found(r)).toEqual([{ code: "PLB201", severity: "error", at: "infra.yml:5:3" }]);
  });

  it("keeps an invalid `domains` value of base.yml, so the schema reports it", () => {
    const r = validateDir({ "base.yml": `${BASE}domains: [web]\n`, "domains/db.yml": "db: {}\n" });

    expect(found(r, "PLB102")).toEqual([
      { code: "PLB102", severity: "error", at: "infra/base.yml:4:10" },
    ]);
  });
});
