// Incus's key grammar: config keys, device names and device keys that Incus would not accept (or
// that would carry markup into a reviewer's plan) are refused at validate, at the key.
import { describe, expect, it } from "vitest";
import { checkRule, errorsOf, found, validateText } from "../../tests/kit/infra.js";
import { incusKeysAreValid } from "./incus-keys.js";

const estate = (machine: string) =>
  `project_name: t\nglobal:\n  addressing: {base_octet: 10}\ndomains:\n  web:\n    machines:\n      w1: ${machine}\n`;

describe("incusKeysAreValid", () => {
  it.each([
    "limits.memory",
    "user.my-app.role",
    "environment.DB_HOST",
    "linux.sysctl.net.ipv4.ip_forward",
  ])("accepts config key %s", (key) => {
    const text = estate(`{config: {${key}: "1"}}`);
    expect(checkRule(incusKeysAreValid, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it.each([
    ["a fence break and an HTML comment", '"user.a\\n```\\n<!--"'],
    ["an escape sequence", '"user.\\e[31mred"'],
    ["a mention", '"user.@admin"'],
    ["a space", '"user.a b"'],
    ["an empty word", '"user..a"'],
    ["a trailing dot", '"user.a."'],
  ])("refuses a config key with %s, at the key (PLB910)", (_, key) => {
    const text = estate(`{config: {${key}: "1"}}`);
    const r = validateText(text);
    expect(found(r, "PLB910")).toEqual([
      { code: "PLB910", severity: "error", at: "infra.yml:7:21" },
    ]);
    expect(r.ok).toBe(false);
  });

  it("refuses bad device names and device keys (PLB911); accepts ordinary ones", () => {
    const ok = estate(
      "{devices: {data-disk: {type: disk, source: /srv/x, path: /x}, eth1: {type: nic, ipv4.address: 10.0.0.2}}}",
    );
    expect(checkRule(incusKeysAreValid, ok)).toEqual([]);
    const bad = estate('{devices: {"a`b": {type: disk}, d: {"pa<th": /x}}}');
    expect(checkRule(incusKeysAreValid, bad).map((d) => d.code)).toEqual(["PLB911", "PLB911"]);
  });

  it("checks domain profiles too", () => {
    const text =
      'project_name: t\nglobal:\n  addressing: {base_octet: 10}\ndomains:\n  web:\n    profiles:\n      p: {config: {"bad key": "1"}}\n    machines:\n      w1: {profiles: [p]}\n';
    expect(checkRule(incusKeysAreValid, text).map((d) => d.code)).toEqual(["PLB910"]);
  });
});
