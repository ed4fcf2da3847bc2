// Declared targets and contracts: server machines (address, host key, no Incus keys, never an
// Incus endpoint) and `contracts:` against the template index, each error at file:line:column.
import { describe, expect, it } from "vitest";
import { found, loadText, validateText, yml } from "../../tests/kit/infra.js";
import type { ContractTemplates } from "../contracts/template-index.js";
import { validateInfra } from "../validate.js";

const KEY = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

const estate = (machines: string, extra = "") => yml`
  project_name: t
  global:
    addressing: {base_octet: 10}
  domains:
    web:
      machines:
${machines}
  ${extra}
`;

const templates: ContractTemplates = {
  lockPath: "templates.lock",
  bySlug: new Map([
    [
      "motd",
      {
        slug: "motd",
        version: "1.0.0",
        inputs: {
          type: "object",
          additionalProperties: false,
          required: ["message"],
          properties: { message: { type: "string", maxLength: 20 } },
        },
        sampleInputs: { message: "hi" },
        lock: "locked",
        treeHash: "sha256:0",
      },
    ],
    [
      "db",
      {
        slug: "db",
        version: "1.0.0",
        inputs: {
          type: "object",
          additionalProperties: false,
          properties: {
            user: { type: "string" },
            password: { type: "string", minLength: 8, "x-sensitive": true },
          },
        },
        sampleInputs: { user: "app", password: "sample-password" },
        lock: "locked",
        treeHash: "sha256:1",
      },
    ],
    [
      "fresh",
      {
        slug: "fresh",
        version: "1.0.0",
        inputs: { type: "object" },
        sampleInputs: {},
        lock: "not-in-lock",
        treeHash: "sha256:2",
      },
    ],
  ]),
};

const check = (text: string) => validateInfra(loadText(text), { templates });

describe("type: server machines", () => {
  it("accepts a complete server and allocates it no address", () => {
    const text = estate(`
        db-1:
          type: server
          address: 192.0.2.10
          ssh: {user: admin, port: 2222, jump: "ops@bastion:22", host_key: "${KEY}"}
        web-1: {}`);

    const r = validateText(text);

    expect(r.ok).toBe(true);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("needs address and ssh.host_key (PLB109), pointing at the machine", () => {
    const text = estate(`
        db-1:
          type: server`);

    expect(found(validateText(text), "PLB109")).toEqual([
      { code: "PLB109", severity: "error", at: "infra.yml:9:17" },
      { code: "PLB109", severity: "error", at: "infra.yml:9:17" },
    ]);
  });

  it("refuses a host key that is not the SHA256 fingerprint form (schema, at the value)", () => {
    const text = estate(`
        db-1:
          type: server
          address: db.example
          ssh: {host_key: "SHA256:short"}`);

    expect(found(validateText(text), "PLB105")).toEqual([
      { code: "PLB105", severity: "error", at: "infra.yml:11:27" },
    ]);
  });

  it("refuses an address that could pass as an ssh option", () => {
    const text = estate(`
        db-1:
          type: server
          address: "-oProxyCommand=x"
          ssh: {host_key: "${KEY}"}`);

    expect(found(validateText(text), "PLB105").map((f) => f.at)).toEqual(["infra.yml:10:20"]);
  });

  it("refuses server keys on an lxc/vm machine (PLB110) and Incus keys on a server (PLB111)", () => {
    const text = estate(`
        web-1: {address: 10.0.0.1, ssh: {user: root}}
        db-1:
          type: server
          address: db.example
          ssh: {host_key: "${KEY}"}
          ip: 10.120.0.9
          profiles: [default]`);
    const r = validateText(text);

    expect(found(r, "PLB110").map((f) => f.at)).toEqual(["infra.yml:8:17", "infra.yml:8:36"]);
    expect(found(r, "PLB111").map((f) => f.at)).toEqual(["infra.yml:13:11", "infra.yml:14:11"]);
  });

  it("refuses a server as a network policy endpoint or shared-volume consumer (PLB112)", () => {
    const text = estate(
      `
        db-1: {type: server, address: db.example, ssh: {host_key: "${KEY}"}}`,
      `network_policies:
    - {from: web, to: db-1}
  shared_volumes:
    docs: {consumers: {db-1: ro}}`,
    );

    expect(found(validateText(text), "PLB112").map((f) => f.at)).toEqual([
      "infra.yml:10:23",
      "infra.yml:12:24",
    ]);
  });
});

describe("contracts:", () => {
  it("accepts a contract whose inputs match a locked template", () => {
    const text = estate(`
        web-1:
          contracts:
            - {template: motd, inputs: {message: hello}}
            - {template: motd, name: motd-2, inputs: {message: again}, revision: 2}`);

    expect(check(text).diagnostics).toEqual([]);
  });

  it("refuses a duplicate contract name on one machine (PLB113), the default name included", () => {
    const text = estate(`
        web-1:
          contracts:
            - {template: motd, inputs: {message: a}}
            - {template: motd, inputs: {message: b}}`);

    expect(found(check(text), "PLB113").map((f) => f.at)).toEqual(["infra.yml:11:26"]);
  });

  it("names an unknown template with a did-you-mean (PLB114)", () => {
    const text = estate(`
        web-1:
          contracts: [{template: mtod}]`);
    const r = check(text);

    expect(found(r, "PLB114").map((f) => f.at)).toEqual(["infra.yml:9:34"]);
    expect(r.diagnostics[0]?.hint).toContain("motd");
  });

  it("refuses a template that is not in templates.lock (PLB115)", () => {
    const text = estate(`
        web-1:
          contracts: [{template: fresh}]`);

    expect(found(check(text), "PLB115").map((f) => f.at)).toEqual(["infra.yml:9:34"]);
  });

  it("names the invalid, missing or unknown input (PLB116)", () => {
    const text = estate(`
        web-1:
          contracts:
            - {template: motd, inputs: {message: "this message is far too long"}}
            - {template: motd, name: m2}
            - {template: motd, name: m3, inputs: {message: x, mesage: y}}`);
    const r = check(text);
    const messages = r.diagnostics.filter((d) => d.code === "PLB116").map((d) => d.message);

    expect(found(r, "PLB116").map((f) => f.at)).toEqual([
      "infra.yml:10:50",
      "infra.yml:11:26",
      "infra.yml:12:63",
    ]);
    expect(messages[0]).toContain("input 'message' must NOT have more than 20 characters");
    expect(messages[1]).toContain("missing input 'message'");
    expect(messages[2]).toContain("unknown input 'mesage'");
    expect(r.diagnostics.find((d) => d.message.includes("mesage"))?.hint).toContain("message");
  });

  it("takes {secret: NAME} for an x-sensitive input only (PLB117), never a literal (PLB118)", () => {
    const text = estate(`
        web-1:
          contracts:
            - {template: db, inputs: {user: {secret: DB_USER}, password: {secret: DB_PASSWORD}}}
            - {template: db, name: db-2, inputs: {password: hunter2-literal}}`);
    const r = check(text);

    expect(found(r, "PLB117").map((f) => f.at)).toEqual(["infra.yml:10:45"]);
    expect(found(r, "PLB118").map((f) => f.at)).toEqual(["infra.yml:11:61"]);
    // Neither the literal secret nor the schema rule it breaks appears in any message.
    expect(JSON.stringify(r.diagnostics)).not.toContain("hunter2");
  });

  it("refuses a malformed secret reference (PLB116)", () => {
    const text = estate(`
        web-1:
          contracts:
            - {template: db, inputs: {password: {secret: "bad name"}}}`);

    expect(found(check(text), "PLB116").map((f) => f.at)).toEqual(["infra.yml:10:49"]);
  });

  it("skips template checks when no template index is given (library callers)", () => {
    const text = estate(`
        web-1:
          contracts: [{template: nothing-here}]`);

    expect(validateText(text).ok).toBe(true);
  });
});
