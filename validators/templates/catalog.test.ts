// The action catalog: loads only what the lock covers (fail closed), checks each action like a
// template, and templates compose actions into bounded steps; sensitive params never reach the HFC.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readActionFiles } from "../../cli/templates-kit.js";
import type { CatalogAction } from "../../core/model/action.js";
import type { TemplateManifest } from "../../core/model/template.js";
import { forge, hfcJson } from "../../generators/contract/hfc.js";
import { type ActionFile, actionHash, checkCatalog } from "./catalog.js";
import { parseLock, type TemplatesLock } from "./tree-hash.js";

const REPO = `${import.meta.dirname}/../..`;
const enc = new TextEncoder();
const action = (name: string, yml: string): ActionFile => ({
  name,
  file: `templates/actions/${name}.yml`,
  bytes: enc.encode(yml),
});
const lockOf = (files: ActionFile[]): TemplatesLock => ({
  version: 1,
  templates: {},
  actions: Object.fromEntries(files.map((f) => [f.name, actionHash(f.bytes)])),
});
const SECRET = `action_id: set-secret
title: Write a secret
description: test
risk_level: HIGH
consent_level: ELEVATED_CONFIRM
role: admin
params:
  type: object
  required: [token]
  additionalProperties: false
  properties:
    token: {type: string, x-sensitive: true, minLength: 1}
sample_params: {token: s3cret}
steps:
  - directory: {path: /etc/app, mode: "0700"}
probes:
  - service_active: app
`;

function template(actions: TemplateManifest["actions"], catalog: Map<string, CatalogAction>) {
  return {
    dir: "templates/t",
    manifest: {
      slug: "t",
      version: "1.0.0",
      description: "t",
      inputs: {
        type: "object",
        additionalProperties: false,
        properties: { pkg: { type: "string" }, token: { type: "string", "x-sensitive": true } },
      },
      sample_inputs: {},
      actions,
    } as TemplateManifest,
    files: new Map<string, string>(),
    treeHash: "sha256:00",
    catalog,
  };
}
const opts = (inputs: Record<string, unknown>) => ({
  target: "m",
  inputs,
  gitCommit: null,
  createdAt: "2026-01-01T00:00:00Z",
});

describe("action catalog", () => {
  it("the bundled catalog loads with the repository's lock", () => {
    const files = readActionFiles(REPO);
    const lock = parseLock(readFileSync(`${REPO}/templates.lock`, "utf8")) as TemplatesLock;
    const r = checkCatalog(files, lock, "templates.lock", true);
    expect(r.diagnostics).toEqual([]);
    expect([...r.actions.keys()]).toEqual(["package-install", "service-restart"]);
  });

  it("fails closed: an action changed after locking (one byte) or missing from the lock loads nothing", () => {
    const f = action("set-secret", SECRET);
    const lock = lockOf([f]);
    expect(checkCatalog([f], lock, "templates.lock", true).actions.size).toBe(1);
    const tampered = action("set-secret", SECRET.replace("0700", "0755"));
    const r = checkCatalog([tampered], lock, "templates.lock", true);
    expect(r.actions.size).toBe(0);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["PLB861"]);
    expect(checkCatalog([f], undefined, "templates.lock", true).actions.size).toBe(0);
    // and a template using it is refused at forge
    expect(() =>
      forge(template([{ action: "set-secret", params: { token: "x" } }], r.actions), opts({})),
    ).toThrow(expect.objectContaining({ code: "PLB833" }));
  });

  it("each action is checked like a template: id, bounded steps, language", () => {
    const codes = (yml: string, name = "set-secret") => {
      const f = action(name, yml);
      return checkCatalog([f], lockOf([f]), "templates.lock", true).diagnostics.map((d) => d.code);
    };
    expect(codes(SECRET, "other")).toEqual(["PLB835"]);
    expect(
      codes(
        SECRET.replace(
          'directory: {path: /etc/app, mode: "0700"}',
          "command: {exec: bash, args: [-c, x]}",
        ),
      ),
    ).toEqual(["PLB825"]);
    expect(codes(SECRET.replace("/etc/app", '"/etc/{{ token.constructor }}"'))).toEqual(["PLB823"]);
    expect(codes(SECRET.replace("/etc/app", "/root/.ssh"))).toEqual(["PLB824"]);
    expect(codes(SECRET.replace("risk_level: HIGH", "risk_level: EXTREME")).length).toBeGreaterThan(
      0,
    );
  });

  it("templates compose actions: steps and probes expand, risk/consent/role recorded", () => {
    const files = readActionFiles(REPO);
    const catalog = checkCatalog(files, undefined, "templates.lock", false).actions;
    const t = template(
      [
        { action: "package-install", params: { package: "{{ pkg }}" } },
        { action: "service-restart", params: { service: "nginx" } },
      ],
      catalog,
    );
    const { hfc, script } = forge(t, opts({ pkg: "nginx" }));
    expect(hfc.operations).toEqual([
      { apt_install: ["nginx"] },
      { service: { name: "nginx", action: "restart" } },
    ]);
    expect(hfc.proofs).toEqual([{ package_installed: "nginx" }, { service_active: "nginx" }]);
    expect(hfc.actions.map((a) => [a.action_id, a.risk_level, a.consent_level, a.role])).toEqual([
      ["package-install", "LOW", "NOTICE", "operator"],
      ["service-restart", "MEDIUM", "CONFIRM", "operator"],
    ]);
    expect(hfc.header.risk).toBe("medium");
    expect(script).toContain("apt_install 'nginx'");
    expect(() => forge(t, opts({ pkg: "-o Dpkg::Pre-Invoke=id" }))).toThrow(
      expect.objectContaining({ code: "PLB834" }),
    );
    expect(() => forge(template([{ action: "nope" }], catalog), opts({}))).toThrow(
      expect.objectContaining({ code: "PLB833" }),
    );
  });

  it("property: an x-sensitive param or input never appears in hfc.json or a refusal message", {
    timeout: 180_000,
  }, () => {
    const f = action("set-secret", SECRET);
    const catalog = checkCatalog([f], lockOf([f]), "templates.lock", true).actions;
    const t = template([{ action: "set-secret", params: { token: "{{ token }}" } }], catalog);
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 6, maxLength: 40 })
          .filter((s) => s.trim().length >= 6 && !s.includes("\u0000") && s.isWellFormed()),
        (secret) => {
          const { hfc } = forge(t, opts({ token: secret }));
          const text = hfcJson(hfc);
          expect(text.includes(JSON.stringify(secret).slice(1, -1))).toBe(false);
          expect(hfc.header.inputs.token).toMatch(/^\(sensitive\) sha256:[0-9a-f]{12}$/);
          expect(hfc.actions[0]?.params.token).toMatch(/^\(sensitive\) sha256:/);
          expect(hfc.header.risk).toBe("high");
          try {
            forge(t, opts({ token: secret, other: secret }));
          } catch (e) {
            expect(String((e as Error).message)).not.toContain(secret);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
