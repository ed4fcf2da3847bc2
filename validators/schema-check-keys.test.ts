// Structural validation, keys and alternatives: unknown keys are PLB106 errors with "did you
// mean" (warnings only with allowUnknownKeys), anklume-only keys are PLB108 notes, anyOf
// alternatives collapse to one report, invalid map keys.
// Value codes PLB101–PLB105/PLB107: schema-check.test.ts.
import { describe, expect, it } from "vitest";
import {
  codes,
  errorsOf,
  found,
  validateText,
  validateValue,
  withCode,
  yml,
} from "../tests/kit/infra.js";

/** A valid zone-mode estate; `extraGlobal` lines go after `addressing` (line 4 on). */
const estate = (extraGlobal = "", domains = "  web: {}") => yml`
  project_name: t
  global:
    addressing: {base_octet: 10}
  ${extraGlobal}
  domains:
  ${domains}
`;

describe("PLB106 unknown keys", () => {
  it("is an error at the key with a did-you-mean hint: a typo never builds something else", () => {
    const r = validateText(estate("", "  web:\n    machines:\n      w1: {typ: vm}"));

    expect(found(r)).toEqual([{ code: "PLB106", severity: "error", at: "infra.yml:8:12" }]);
    expect(r.diagnostics[0]?.hint).toBe("did you mean 'type'?");
    expect(r.ok).toBe(false);
    expect(r.document).toBeUndefined();
  });

  it("is a warning, and the estate valid, only with allowUnknownKeys", () => {
    const r = validateText(estate("", "  web:\n    machines:\n      w1: {tpye: vm}"), {
      allowUnknownKeys: true,
    });

    expect(found(r)).toEqual([{ code: "PLB106", severity: "warning", at: "infra.yml:8:12" }]);
    expect(r.diagnostics[0]?.message).toContain("(ignored)");
    expect(r.ok).toBe(true);
  });

  it("lists the known keys when nothing is close", () => {
    const r = validateText(estate("", "  web:\n    colour: blue"));

    expect(found(r)).toEqual([{ code: "PLB106", severity: "error", at: "infra.yml:7:5" }]);
    expect(r.diagnostics[0]?.hint).toContain("known keys here: description, enabled, subnet_id");
  });

  it("reports unknown keys at every level", () => {
    const text = yml`
      project_name: t
      export_apps: []
      global:
        addresing: {}
      domains:
        web:
          profiles:
            p: {devics: {}}
      network_policies:
        - {from: web, to: host, port: [22]}
      shared_volumes:
        v: {consumers: {web: ro}, mode: rw}
    `;

    const r = validateText(text, { allowUnknownKeys: true });

    expect(found(r, "PLB106").map((f) => f.at)).toEqual([
      "infra.yml:2:1",
      "infra.yml:4:3",
      "infra.yml:8:11",
      "infra.yml:10:27",
      "infra.yml:12:29",
    ]);
    expect(withCode(r, "PLB106").map((d) => d.hint)).toEqual([
      expect.stringContaining("known keys here"),
      "did you mean 'addressing'?",
      "did you mean 'devices'?",
      "did you mean 'ports'?",
      expect.stringContaining("known keys here"),
    ]);
    // The misspelt `addressing` is ignored, so the estate is in legacy mode: the warning is
    // what explains the one error.
    expect(codes(errorsOf(r))).toEqual(["PLB306"]);
    expect(codes(errorsOf(validateText(text))).sort()).toEqual([
      ...Array(5).fill("PLB106"),
      "PLB306",
    ]);
  });

  it("--strict keeps unknown keys errors even when allowed", () => {
    const text = estate("", "  web:\n    machines:\n      w1: {tpye: vm}");

    const r = validateText(text, { strict: true, allowUnknownKeys: true });

    expect(found(r)).toEqual([{ code: "PLB106", severity: "error", at: "infra.yml:8:12" }]);
    expect(r.ok).toBe(false);
  });

  it("--strict also applies to the semantic rules' warnings", () => {
    const text = estate("", "  lab:\n    trust_level: untrusted\n    machines:\n      c1: {}");

    expect(validateText(text).ok).toBe(true);
    expect(found(validateText(text, { strict: true }))).toEqual([
      { code: "PLB503", severity: "error", at: "infra.yml:9:7" },
    ]);
  });
});

describe("PLB108 keys anklume defines but plumb ignores", () => {
  // anklume's examples/ai-tools/infra.yml uses file_portal on a domain, export_apps on a machine.
  const text = estate(
    "",
    "  ai-tools:\n    file_portal: true\n    machines:\n      gpu-1:\n        export_apps: [code]",
  );

  it("accepts them with a note at the key, the estate valid", () => {
    const r = validateText(text);

    expect(found(r)).toEqual([
      { code: "PLB108", severity: "note", at: "infra.yml:7:5" },
      { code: "PLB108", severity: "note", at: "infra.yml:10:9" },
    ]);
    expect(r.ok).toBe(true);
  });

  it("--strict does not promote notes", () => {
    expect(validateText(text, { strict: true }).ok).toBe(true);
  });

  it("is not granted to the same key elsewhere (export_apps on a domain is unknown)", () => {
    const r = validateText(estate("", "  web:\n    export_apps: [code]"));

    expect(found(r)).toEqual([{ code: "PLB106", severity: "error", at: "infra.yml:7:5" }]);
  });
});

describe("anyOf alternatives", () => {
  const rp = (value: string) => estate(`  resource_policy: ${value}`);

  it("accepts resource_policy: true and a mapping", () => {
    expect(validateText(rp("true")).diagnostics).toEqual([]);
    expect(
      validateText(rp("{mode: equal, host_reserve: {cpu: 2, memory: 20%}}")).diagnostics,
    ).toEqual([]);
  });

  it("reports a value fitting no alternative once, naming each alternative", () => {
    const r = validateText(rp("false"));

    expect(found(r)).toEqual([{ code: "PLB102", severity: "error", at: "infra.yml:4:20" }]);
    expect(r.diagnostics[0]?.message).toBe(
      "'resource_policy' must be true or a mapping, not boolean false",
    );
  });

  it("reports only the inner problem of a mapping (the `$ref` alternative)", () => {
    expect(found(validateText(rp("{mode: fair}")))).toEqual([
      { code: "PLB103", severity: "error", at: "infra.yml:4:27" },
    ]);
  });

  it("keeps an unknown key inside the `$ref` alternative a key error", () => {
    const r = validateText(rp("{mdoe: equal}"));

    expect(found(r)).toEqual([{ code: "PLB106", severity: "error", at: "infra.yml:4:21" }]);
    expect(r.diagnostics[0]?.hint).toBe("did you mean 'mode'?");
  });

  it("collapses an anyOf nested inside another (host_reserve inside resource_policy)", () => {
    expect(found(validateText(rp("{host_reserve: {cpu: 150%}}")))).toEqual([
      { code: "PLB105", severity: "error", at: "infra.yml:4:41" },
    ]);
    expect(found(validateText(rp("{host_reserve: {cpu: 0}}")))).toEqual([
      { code: "PLB104", severity: "error", at: "infra.yml:4:41" },
    ]);
    expect(found(validateText(rp("{host_reserve: {memory: [1]}}")))).toEqual([
      { code: "PLB102", severity: "error", at: "infra.yml:4:44" },
    ]);
  });
});

describe("invalid names in schema-checked maps", () => {
  it("reports an invalid profile or persistent_data name once, as PLB201 at the key", () => {
    const text = estate(
      "",
      "  web:\n    profiles:\n      Big_One: {}\n    machines:\n      w1:\n        persistent_data:\n          -data: {path: /d}",
    );

    expect(found(validateText(text))).toEqual([
      { code: "PLB201", severity: "error", at: "infra.yml:8:7" },
      { code: "PLB201", severity: "error", at: "infra.yml:12:11" },
    ]);
  });
});

describe("validateValue", () => {
  it("validates a JS value through the YAML loader", () => {
    const r = validateValue({ project_name: "t", global: { gpu_policy: "none" }, domains: {} });

    expect(codes(r.diagnostics)).toEqual(["PLB103"]);
  });
});
