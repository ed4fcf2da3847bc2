// Contract changes in the plan: the contract hash (stable, secret references kept, never a
// value), live state from an instance's config key or a server reader, run/none with reasons,
// risk/consent/roles from the forged actions, --limit, and a contract that cannot be forged.
import { readFileSync } from "node:fs";
import jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { PlumbError } from "../../core/errors.js";
import type { CatalogAction } from "../../core/model/action.js";
import { buildEstate } from "../../core/model/estate.js";
import type { InfraDocument } from "../../core/model/infra.js";
import type { TemplateManifest } from "../../core/model/template.js";
import type { TemplateSource } from "../../generators/contract/hfc.js";
import {
  type ContractTemplateSet,
  contractKey,
  NOT_READ,
  type PlanContractsInput,
  planContracts,
} from "./contracts.js";

const KEY = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
const action = jsyaml.load(
  readFileSync(new URL("../../templates/actions/package-install.yml", import.meta.url), "utf8"),
) as CatalogAction;

const manifest: TemplateManifest = {
  slug: "app",
  version: "1.2.0",
  description: "an app with a password",
  inputs: {
    type: "object",
    additionalProperties: false,
    required: ["greeting"],
    properties: {
      greeting: { type: "string" },
      password: { type: "string", "x-sensitive": true },
    },
  },
  sample_inputs: { greeting: "hi", password: "sample-password" },
  bom: [{ path: "/etc/app/greeting", source: "greeting.njk" }],
  actions: [{ action: "package-install", params: { package: "curl" } }],
};
const app: TemplateSource = {
  dir: "templates/app",
  manifest,
  files: new Map([["greeting.njk", "{{ greeting }}\n"]]),
  treeHash: `sha256:${"a".repeat(64)}`,
  catalog: new Map([["package-install", action]]),
};
const templates: ContractTemplateSet = {
  templates: new Map([["app", app]]),
  actionHashes: { "package-install": `sha256:${"b".repeat(64)}` },
};

function estate(revision = 0, greeting = "hello") {
  const contract = {
    template: "app",
    inputs: { greeting, password: { secret: "APP_PASSWORD" } },
    revision,
  };
  return buildEstate({
    project_name: "t",
    global: { addressing: { base_octet: 10 } },
    domains: {
      web: { machines: { "web-1": { contracts: [contract] } } },
      db: {
        machines: {
          "db-1": {
            type: "server",
            address: "192.0.2.9",
            ssh: { host_key: KEY },
            contracts: [contract],
          },
        },
      },
      off: { enabled: false, machines: { "off-1": { contracts: [contract] } } },
    },
  } as unknown as InfraDocument);
}

const input = (over: Partial<PlanContractsInput> = {}): PlanContractsInput => ({
  estate: estate(),
  templates,
  instanceConfig: async () => undefined,
  ...over,
});

describe("planContracts", () => {
  it("plans a run for every contract of an enabled domain, with the forged risk, consent and roles", async () => {
    const changes = await planContracts(input({ readServer: async () => ({}) }));

    expect(changes.map((c) => [c.machine, c.targetKind, c.action, c.reason])).toEqual([
      ["web-1", "instance", "run", "new"],
      ["db-1", "server", "run", "new"],
    ]);
    expect(changes[0]).toMatchObject({
      domain: "web",
      project: "web",
      instance: "web-1",
      name: "app",
      template: "app@1.2.0",
      liveHash: null,
      risk: "low",
      consent: "NOTICE",
      roles: ["operator"],
      inputs: { greeting: "hello", password: { secret: "APP_PASSWORD" } },
    });
    expect(changes[1]?.project).toBeUndefined();
    expect(changes[0]?.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("hashes machine, name, template, actions, inputs (the reference, not a value) and revision", async () => {
    const base = (await planContracts(input()))[0]?.hash;
    const again = (await planContracts(input()))[0]?.hash;
    const revised = (await planContracts(input({ estate: estate(1) })))[0]?.hash;
    const edited = (await planContracts(input({ estate: estate(0, "bye") })))[0]?.hash;
    const otherAction = (
      await planContracts(
        input({
          templates: {
            ...templates,
            actionHashes: { "package-install": `sha256:${"c".repeat(64)}` },
          },
        }),
      )
    )[0]?.hash;

    expect(again).toBe(base);
    expect(new Set([base, revised, edited, otherAction]).size).toBe(4);
  });

  it("reads an instance's last successful run from its user.plumb.contract.<name> key", async () => {
    const [first] = await planContracts(input());
    const hash = first?.hash as string;
    const config = (value: string) => async () => ({
      [contractKey("app")]: value,
      "limits.cpu": "1",
    });

    const same = (await planContracts(input({ instanceConfig: config(hash) })))[0];
    const other = (await planContracts(input({ instanceConfig: config("sha256:old") })))[0];
    const none = (await planContracts(input({ instanceConfig: async () => ({}) })))[0];

    expect([same?.action, same?.reason, same?.liveHash]).toEqual(["none", "up to date", hash]);
    expect([other?.action, other?.reason, other?.liveHash]).toEqual([
      "run",
      "changed",
      "sha256:old",
    ]);
    expect([none?.action, none?.reason]).toEqual(["run", "new"]);
  });

  it("reads a server through the injected reader; unreachable or not read plans a run, an error fails", async () => {
    const hash = (await planContracts(input()))[1]?.hash as string;
    const server = async (readServer?: PlanContractsInput["readServer"]) =>
      (await planContracts(input({ readServer })))[1];

    expect(await server(async () => ({ app: hash }))).toMatchObject({
      action: "none",
      reason: "up to date",
    });
    expect(await server(async () => "unreachable")).toMatchObject({
      action: "run",
      reason: "unknown state (unreachable)",
      liveHash: null,
    });
    // A reader's error (host key mismatch…) is not a state: the plan fails with it.
    await expect(server(() => Promise.reject(new Error("host key mismatch")))).rejects.toThrow(
      "host key mismatch",
    );
    expect(await server(undefined)).toMatchObject({ action: "run", reason: NOT_READ });
  });

  it("limits contracts to the --limit domains", async () => {
    const changes = await planContracts(input({ limit: ["db"], readServer: async () => ({}) }));

    expect(changes.map((c) => c.machine)).toEqual(["db-1"]);
  });

  it("refuses a contract that cannot be forged with PLB774, naming machine and contract", async () => {
    const bad: ContractTemplateSet = {
      ...templates,
      templates: new Map([["app", { ...app, catalog: new Map() }]]),
    };
    const e = await planContracts(input({ templates: bad })).catch((x: unknown) => x);

    expect(e).toBeInstanceOf(PlumbError);
    expect((e as PlumbError).code).toBe("PLB774");
    expect((e as PlumbError).message).toContain("machine 'web-1', contract 'app'");
  });

  it("redacts an x-sensitive literal in the displayed inputs", async () => {
    const doc = estate();
    const web = doc.machines.find((m) => m.name === "web-1");
    const literal = {
      ...doc,
      machines: [
        {
          ...web,
          contracts: [
            {
              name: "app",
              template: "app",
              revision: 0,
              inputs: { greeting: "x", password: "hunter2" },
            },
          ],
        },
      ],
    } as typeof doc;

    const [c] = await planContracts(input({ estate: literal }));

    expect(c?.inputs.password).toMatch(/^\(sensitive\) sha256:[0-9a-f]{12}$/);
    expect(JSON.stringify(c)).not.toContain("hunter2");
  });
});
