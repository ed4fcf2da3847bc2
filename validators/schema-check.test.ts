// Structural validation: each ajv keyword becomes its PLB1xx code at the offending value, with a
// hint; unknown keys are warnings with "did you mean"; anyOf alternatives collapse to one report.
import { describe, expect, it } from "vitest";
import { codes, errorsOf, found, validateText, yml } from "../tests/kit/infra.js";
import { checkSchema } from "./schema-check.js";

/** A valid zone-mode estate; `extraGlobal` lines go after `addressing` (line 4 on). */
const estate = (extraGlobal = "", domains = "  web: {}") => yml`
  project_name: t
  global:
    addressing: {base_octet: 10}
  ${extraGlobal}
  domains:
  ${domains}
`;

describe("checkSchema", () => {
  it("accepts a minimal estate and the anklume keys at every level", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10, zone_base: 100, zone_step: 10}
        default_os_image: images:debian/13
        default_connection: community.general.incus
        default_user: root
        gpu_policy: exclusive
        firewall_mode: host
        nesting_prefix: true
        ai_access_policy: open
        ai_vram_flush: true
        resource_policy:
          mode: proportional
          cpu_mode: allowance
          memory_enforce: soft
          overcommit: false
          host_reserve: {cpu: 20%, memory: 2GiB}
        shared_volumes_base: /srv/anklume/shares
        persistent_data_base: /srv/anklume/data
      domains:
        web:
          description: Web
          enabled: true
          subnet_id: 3
          ephemeral: false
          trust_level: trusted
          ai_provider: local-first
          ai_sanitize: always
          profiles:
            big:
              description: more
              config: {limits.cpu: "4", limits.memory: 4GiB}
              devices:
                gpu0: {type: gpu, gputype: physical}
          machines:
            w1:
              description: front
              type: vm
              ip: 10.110.3.10
              ephemeral: true
              gpu: true
              profiles: [default, big]
              roles: [base_system]
              config: {boot.autostart: true, limits.cpu: 2}
              devices:
                data: {type: disk, path: /data, source: /srv/data}
              storage_volumes:
                vol1: {pool: default, size: 10GiB, path: /vol}
              os_image: images:debian/13
              boot_autostart: true
              boot_priority: 50
              snapshots_schedule: "0 2 * * *"
              snapshots_expiry: 30d
              weight: 2
              persistent_data:
                home: {path: /home, readonly: false}
      network_policies:
        - description: web to host
          from: web
          to: host
          ports: [22, 443]
          protocol: tcp
          bidirectional: true
      shared_volumes:
        docs:
          source: /srv/docs
          path: /docs
          shift: true
          propagate: false
          consumers: {web: ro}
    `;

    const r = validateText(text);

    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it("returns diagnostics with paths, unlocated (the loader locates them)", () => {
    const [d] = checkSchema({
      project_name: "t",
      global: {},
      domains: { web: { subnet_id: 300 } },
    });

    expect(d).toMatchObject({
      code: "PLB104",
      severity: "error",
      path: ["domains", "web", "subnet_id"],
    });
    expect(d?.location).toBeUndefined();
  });

  it("never throws on non-object documents", () => {
    for (const doc of [null, 1, "x", [], [1, { a: 2 }], true]) {
      expect(codes(checkSchema(doc))).toEqual(["PLB102"]);
    }
  });
});

describe("PLB101 missing required key", () => {
  it("reports each missing top-level key at the document start", () => {
    const r = validateText("project_name: t\n");

    expect(found(r)).toEqual([
      { code: "PLB101", severity: "error", at: "infra.yml:1:1" },
      { code: "PLB101", severity: "error", at: "infra.yml:1:1" },
    ]);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining("'global'"),
      expect.stringContaining("'domains'"),
    ]);
  });

  it("reports a policy without `to` at the policy", () => {
    const r = validateText(`${estate()}network_policies:\n  - from: web\n`);

    expect(found(r)).toEqual([{ code: "PLB101", severity: "error", at: "infra.yml:8:5" }]);
  });

  it("reports a device without `type` at the device key", () => {
    const r = validateText(
      estate("", "  web:\n    machines:\n      w1:\n        devices:\n          d1: {path: /x}"),
    );

    expect(found(r)).toEqual([{ code: "PLB101", severity: "error", at: "infra.yml:10:11" }]);
  });
});

describe("PLB102 wrong type", () => {
  it.each([
    ["a string for a boolean", "  nesting_prefix: maybe", "4:19"],
    ["a number for a string", "  default_user: 0", "4:17"],
    ["a list for a mapping", "  addressing: [1]", "3:15"],
  ])("reports %s at the value", (_, line, pos) => {
    const text = line.startsWith("  addressing")
      ? "project_name: t\nglobal:\n  addressing: [1]\ndomains: {}\n"
      : estate(line);

    expect(found(errorsOf(validateText(text)))).toEqual([
      { code: "PLB102", severity: "error", at: `infra.yml:${pos}` },
    ]);
  });

  it.each(["yes", "no", "on", "off", "Yes", "y", "N"])(
    "explains that YAML 1.2 reads `%s` as a string",
    (word) => {
      const [d] = validateText(estate(`  nesting_prefix: ${word}`)).diagnostics;

      expect(d?.code).toBe("PLB102");
      expect(d?.hint).toContain("YAML 1.2");
      expect(d?.hint).toContain(/^(yes|on|y)$/i.test(word) ? "write true" : "write false");
    },
  );

  it("suggests quoting a number meant as a string, and unquoting a quoted integer", () => {
    const user = validateText(estate("  default_user: 1000")).diagnostics[0];
    const subnet = validateText(estate("", '  web:\n    subnet_id: "3"')).diagnostics[0];

    expect(user?.hint).toBe('quote it to make it a string: "1000"');
    expect(subnet?.hint).toBe("remove the quotes: 3");
  });

  it("reports a null domain with the hint to give it a key", () => {
    const r = validateText(estate("", "  web:"));

    expect(found(r)).toEqual([{ code: "PLB102", severity: "error", at: "infra.yml:6:7" }]);
    expect(r.diagnostics[0]?.hint).toBe("give it at least one key, or remove it");
  });

  it("accepts null for domains, machines, profiles, a profile, policies and volumes", () => {
    const text = `${estate("", "  a:\n    machines:\n    profiles:\n  b:\n    profiles:\n      p:")}network_policies:\nshared_volumes:\n`;

    expect(validateText(text).diagnostics).toEqual([]);
    expect(validateText("project_name: t\nglobal: {}\ndomains:\n").diagnostics).toEqual([]);
  });
});

describe("PLB103 value not allowed", () => {
  it("reports an enum value with a did-you-mean hint", () => {
    const r = validateText(estate("", "  web:\n    trust_level: semitrusted"));

    expect(found(r)).toEqual([{ code: "PLB103", severity: "error", at: "infra.yml:7:18" }]);
    expect(r.diagnostics[0]?.hint).toBe("did you mean 'semi-trusted'?");
  });

  it("lists the allowed values when nothing is close", () => {
    const r = validateText(estate("", "  web:\n    machines:\n      w1: {type: docker}"));

    expect(found(r)).toEqual([{ code: "PLB103", severity: "error", at: "infra.yml:8:18" }]);
    expect(r.diagnostics[0]?.hint).toBe("use one of: lxc, vm, server");
  });

  it("reports base_octet other than 10 (const)", () => {
    const r = validateText(
      "project_name: t\nglobal:\n  addressing: {base_octet: 192}\ndomains: {}\n",
    );

    expect(found(r)).toEqual([{ code: "PLB103", severity: "error", at: "infra.yml:3:28" }]);
  });
});

describe("PLB104 value out of range", () => {
  const ports = (value: string) =>
    `${estate()}network_policies:\n  - {from: web, to: host, ports: ${value}}\n`;

  it.each(["[1]", "[65535]", "[1, 22, 65535]", "all", "[]"])("accepts ports: %s", (value) => {
    expect(validateText(ports(value)).diagnostics).toEqual([]);
  });

  it("accepts a policy with no ports and no protocol", () => {
    expect(validateText(`${estate()}network_policies:\n  - {from: web, to: host}\n`).ok).toBe(true);
  });

  it.each([
    ["0", "[0]", 35],
    ["65536", "[22, 65536]", 39],
  ])("rejects port %s at the list item", (_, value, column) => {
    const r = validateText(ports(value));

    expect(found(r)).toEqual([{ code: "PLB104", severity: "error", at: `infra.yml:8:${column}` }]);
    expect(r.diagnostics[0]?.hint).toBe("use a value from 1 to 65535");
  });

  it("rejects a string inside the ports list as a wrong type (PLB102)", () => {
    expect(found(validateText(ports('[22, "80"]')))).toEqual([
      { code: "PLB102", severity: "error", at: "infra.yml:8:39" },
    ]);
  });

  it.each(['"al"', "22", "true"])(
    "rejects ports: %s with one report naming both alternatives",
    (value) => {
      const r = validateText(ports(value));

      expect(found(r)).toEqual([{ code: "PLB102", severity: "error", at: "infra.yml:8:34" }]);
      expect(r.diagnostics[0]?.message).toContain('"all" or a list');
    },
  );

  it("rejects zone_base past 245, boot_priority past 100 and weight 0", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {zone_base: 246}
      domains:
        web:
          machines:
            w1: {boot_priority: 101, weight: 0}
    `;

    expect(found(validateText(text), "PLB104")).toEqual([
      { code: "PLB104", severity: "error", at: "infra.yml:3:27" },
      { code: "PLB104", severity: "error", at: "infra.yml:7:27" },
      { code: "PLB104", severity: "error", at: "infra.yml:7:40" },
    ]);
  });
});

describe("PLB105 wrong form", () => {
  it.each([
    ["snapshots_schedule", '"0 2 * *"'],
    ["snapshots_expiry", "30 days"],
  ])("rejects %s that does not match its pattern, hinting the expected form", (key, value) => {
    const r = validateText(
      estate("", `  web:\n    machines:\n      w1:\n        ${key}: ${value}`),
    );

    expect(found(r)).toEqual([
      { code: "PLB105", severity: "error", at: `infra.yml:9:${11 + key.length}` },
    ]);
    expect(r.diagnostics[0]?.hint).toMatch(/e\.g\./);
  });

  it("rejects a relative shared_volumes_base", () => {
    expect(found(validateText(estate("  shared_volumes_base: srv/shares")))).toEqual([
      { code: "PLB105", severity: "error", at: "infra.yml:4:24" },
    ]);
  });
});

describe("PLB107 other structural constraints", () => {
  it("rejects a shared volume with no consumers", () => {
    const r = validateText(`${estate()}shared_volumes:\n  docs:\n    consumers: {}\n`);

    expect(found(r)).toEqual([{ code: "PLB107", severity: "error", at: "infra.yml:9:16" }]);
  });

  it("rejects an empty project_name", () => {
    expect(found(validateText('project_name: ""\nglobal: {}\ndomains: {}\n'))).toEqual([
      { code: "PLB107", severity: "error", at: "infra.yml:1:15" },
    ]);
  });
});
