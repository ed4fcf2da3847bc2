// Name rules: form (anklume's regex), Linux/Incus length limits, global machine uniqueness, and
// names that would collide with Ansible's groups or generated files.
import { describe, expect, it } from "vitest";
import { checkRule, errorsOf, found, validateText, yml } from "../../tests/kit/infra.js";
import {
  domainNamesAreValid,
  machineNamesAreUnique,
  machineNamesAreValid,
  namesDoNotCollide,
  namesFitLinuxAndIncus,
} from "./names.js";

/** Line 5 column 3 is the domain key, line 7 column 7 the machine key. */
const estate = (domain: string, machine: string) => yml`
  project_name: t
  global:
    addressing: {base_octet: 10}
  domains:
    "${domain}":
      machines:
        "${machine}": {}
`;

describe("domainNamesAreValid", () => {
  it.each(["a", "7", "123", "web-1", "a1b2"])(
    "accepts '%s' (single character, all-numeric)",
    (name) => {
      // Arrange
      const text = estate(name, "m1");
      // Act
      const diagnostics = checkRule(domainNamesAreValid, text);
      // Assert
      expect(diagnostics).toEqual([]);
      expect(errorsOf(validateText(text))).toEqual([]);
    },
  );

  it.each([
    ["leading hyphen", "-web"],
    ["trailing hyphen", "web-"],
    ["uppercase", "Web"],
    ["underscore", "web_1"],
    ["dot", "web.1"],
    ["space", "web 1"],
    ["empty", ""],
  ])("rejects a domain name with a %s at the domain key", (_, name) => {
    const diagnostics = checkRule(domainNamesAreValid, estate(name, "m1"));

    expect(found(diagnostics)).toEqual([
      { code: "PLB201", severity: "error", at: "infra.yml:5:3" },
    ]);
  });

  it("suggests a corrected name when one exists", () => {
    const [d] = checkRule(domainNamesAreValid, estate("Web_Front", "m1"));

    expect(d?.hint).toContain("'web-front'");
  });
});

describe("machineNamesAreValid", () => {
  it.each(["a", "m1", "1a", "web-01"])("accepts '%s'", (name) => {
    const text = estate("web", name);

    expect(checkRule(machineNamesAreValid, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it.each([
    ["leading hyphen", "-m1"],
    ["trailing hyphen", "m1-"],
    ["uppercase", "M1"],
    ["underscore", "m_1"],
    ["dot", "m.1"],
    ["space", "m 1"],
  ])("rejects a machine name with a %s at the machine key", (_, name) => {
    const diagnostics = checkRule(machineNamesAreValid, estate("web", name));

    expect(found(diagnostics)).toEqual([
      { code: "PLB201", severity: "error", at: "infra.yml:7:7" },
    ]);
  });

  it("rejects an all-numeric machine name (Incus refuses it) and suggests adding a letter", () => {
    const diagnostics = checkRule(machineNamesAreValid, estate("web", "123"));

    expect(found(diagnostics)).toEqual([
      { code: "PLB201", severity: "error", at: "infra.yml:7:7" },
    ]);
    expect(diagnostics[0]?.hint).toContain("'m123'");
  });
});

describe("namesFitLinuxAndIncus", () => {
  it("accepts an 11-character domain (net-<d> is 15) and a 63-character machine", () => {
    const text = estate("abcdefghijk", "m".repeat(63));

    expect(checkRule(namesFitLinuxAndIncus, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it("rejects a 12-character domain: its bridge name would exceed 15 characters", () => {
    const diagnostics = checkRule(namesFitLinuxAndIncus, estate("abcdefghijkl", "m1"));

    expect(found(diagnostics)).toEqual([
      { code: "PLB202", severity: "error", at: "infra.yml:5:3" },
    ]);
    expect(diagnostics[0]?.hint).toContain("'abcdefghijk'");
  });

  it("rejects a 64-character machine name", () => {
    const diagnostics = checkRule(namesFitLinuxAndIncus, estate("web", "m".repeat(64)));

    expect(found(diagnostics)).toEqual([
      { code: "PLB202", severity: "error", at: "infra.yml:7:7" },
    ]);
  });
});

describe("machineNamesAreUnique", () => {
  it("accepts distinct machine names across domains", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            app: {}
        db:
          machines:
            pg: {}
    `;

    expect(checkRule(machineNamesAreUnique, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it("rejects a machine name used in two domains, at the second declaration", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            app: {}
        db:
          machines:
            app: {}
    `;

    const diagnostics = checkRule(machineNamesAreUnique, text);

    expect(found(diagnostics)).toEqual([
      { code: "PLB203", severity: "error", at: "infra.yml:10:7" },
    ]);
    expect(diagnostics[0]?.message).toContain("'web'");
  });

  it("counts machines of disabled domains too", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          enabled: false
          machines:
            app: {}
        db:
          machines:
            app: {}
    `;

    expect(found(checkRule(machineNamesAreUnique, text))).toEqual([
      { code: "PLB203", severity: "error", at: "infra.yml:11:7" },
    ]);
  });
});

describe("namesDoNotCollide", () => {
  it("accepts names that merely contain reserved words", () => {
    const text = estate("hosts", "web-host");

    expect(checkRule(namesDoNotCollide, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it.each(["all", "ungrouped", "host"])("rejects the domain name '%s'", (name) => {
    const diagnostics = checkRule(namesDoNotCollide, estate(name, "m1"));

    expect(found(diagnostics)).toEqual([
      { code: "PLB204", severity: "error", at: "infra.yml:5:3" },
    ]);
  });

  it("rejects the machine name 'localhost' (Ansible's control node)", () => {
    const diagnostics = checkRule(namesDoNotCollide, estate("web", "localhost"));

    expect(found(diagnostics)).toEqual([
      { code: "PLB204", severity: "error", at: "infra.yml:7:7" },
    ]);
  });

  // anklume accepts both; they are ambiguous only where a network policy names them.
  const clash = (policies: string) => yml`
    project_name: t
    global:
      addressing: {base_octet: 10}
    domains:
      web:
        machines:
          db: {}
          host: {}
      db: {}
    network_policies:
    ${policies}
  `;

  it("only warns about a machine named like a domain or 'host' that no policy names", () => {
    const text = clash("  []");

    const diagnostics = checkRule(namesDoNotCollide, text);

    expect(found(diagnostics)).toEqual([
      { code: "PLB204", severity: "warning", at: "infra.yml:7:7" },
      { code: "PLB204", severity: "warning", at: "infra.yml:8:7" },
    ]);
    expect(diagnostics[0]?.hint).toContain("'db-1'");
    expect(validateText(text).ok).toBe(true);
  });

  it("is an error at each policy naming an ambiguous name", () => {
    const text = clash("  - {from: web, to: db, ports: [5432]}\n  - {from: host, to: web}");

    const diagnostics = checkRule(namesDoNotCollide, text);

    expect(found(diagnostics)).toEqual([
      { code: "PLB204", severity: "error", at: "infra.yml:11:21" },
      { code: "PLB204", severity: "error", at: "infra.yml:12:12" },
    ]);
    expect(validateText(text).ok).toBe(false);
  });
});
