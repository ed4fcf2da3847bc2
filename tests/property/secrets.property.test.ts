// Property: whatever a secret's value, it never appears in anything plumb shows or writes except
// the target's copy of a contract (contract.sh). Random values for infra config secrets
// (environment.DB_PASSWORD, a profile's environment.API_TOKEN) and for an x-sensitive contract
// input given as {secret: NAME}: the plan (text, markdown, JSON), the Contracts section, the
// generated Ansible files (what generate --dry-run shows and writes), pino logs of the changes,
// and the forged hfc.json; the forged contract.sh does hold the input, so the check is real.
import { Writable } from "node:stream";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderPlanHuman } from "../../cli/render/plan-human.js";
import { renderPlanMarkdown } from "../../cli/render/plan-markdown.js";
import { NO_GIT } from "../../core/io/git.js";
import { logFormat, runLogger } from "../../core/log/logger.js";
import { buildEstate } from "../../core/model/estate.js";
import type { InfraDocument } from "../../core/model/infra.js";
import type { TemplateManifest } from "../../core/model/template.js";
import { styler } from "../../core/output/output.js";
import { resolveSecretInputs } from "../../core/redact/secrets.js";
import { renderAnsibleTree } from "../../generators/ansible/render.js";
import { forge, hfcJson, type TemplateSource } from "../../generators/contract/hfc.js";
import { connectIncus } from "../../reconcilers/drivers/incus/connect.js";
import type { IncusApiDriver } from "../../reconcilers/drivers/incus/incus-api-driver.js";
import { FakeIncusServer } from "../../reconcilers/drivers/incus/testing/fake-incus-server.js";
import { makePlan } from "../../reconcilers/plan/make-plan.js";
import { serializePlan } from "../../reconcilers/plan/plan-document.js";

const manifest: TemplateManifest = {
  slug: "greeter",
  version: "1.0.0",
  description: "writes a greeting signed with a token",
  inputs: {
    type: "object",
    additionalProperties: false,
    required: ["greeting", "token"],
    properties: {
      greeting: { type: "string" },
      token: { type: "string", minLength: 1, "x-sensitive": true },
    },
  },
  sample_inputs: { greeting: "hi", token: "sample" },
  bom: [{ path: "/etc/greeter/token", source: "token.njk", mode: "0600" }],
};
const greeter: TemplateSource = {
  dir: "templates/greeter",
  manifest,
  files: new Map([["token.njk", "{{ greeting }} {{ token }}\n"]]),
  treeHash: `sha256:${"1".repeat(64)}`,
  catalog: new Map(),
};

/** Secrets long enough that finding one by chance in unrelated text is out of the question. */
const secret = fc
  .string({ minLength: 10, maxLength: 40, unit: "grapheme-ascii" })
  .filter((s) => s.trim().length >= 10 && !s.includes("\\"));

function estate(db: string, token: string): InfraDocument {
  return {
    project_name: "prop",
    global: { addressing: { base_octet: 10 }, default_os_image: "plumb-busybox" },
    domains: {
      web: {
        profiles: { app: { config: { "environment.API_TOKEN": token } } },
        machines: {
          "web-1": {
            profiles: ["default", "app"],
            config: { "environment.DB_PASSWORD": db, "limits.cpu": "1" },
            contracts: [
              {
                template: "greeter",
                inputs: { greeting: "hello", token: { secret: "GREETER_TOKEN" } },
              },
            ],
          },
        },
      },
    },
  } as unknown as InfraDocument;
}

describe("secrets never appear in any output (property)", () => {
  let fake: FakeIncusServer;
  let driver: IncusApiDriver;
  beforeAll(async () => {
    fake = await FakeIncusServer.start();
    driver = connectIncus({ kind: "unix", socketPath: fake.socketPath });
  });
  afterAll(async () => {
    driver.close();
    await fake.close();
  });

  it("holds for random values of config secrets and a secret contract input", async () => {
    await fc.assert(
      fc.asyncProperty(secret, secret, secret, async (db, token, input) => {
        fc.pre(new Set([db, token, input]).size === 3);
        const e = buildEstate(estate(db, token));
        const { plan } = await makePlan({
          estate: e,
          autoCleanup: false,
          settings: { bridgeAddresses: "none", storagePool: "default", imageMap: {}, remotes: {} },
          driver,
          target: driver.target,
          git: NO_GIT,
          toolVersion: "test",
          now: new Date(0),
          contracts: {
            templates: { templates: new Map([["greeter", greeter]]), actionHashes: {} },
          },
        });
        let logged = "";
        const log = runLogger("r", {
          format: logFormat("json", {}),
          env: {},
          dest: new Writable({
            write(chunk, _enc, done) {
              logged += String(chunk);
              done();
            },
          }),
        });
        // A log line carrying raw config (as a careless caller might) is redacted by the hook.
        log.info({ config: { "environment.DB_PASSWORD": db } }, "change");

        // The apply-time forge: the value reaches contract.sh only.
        const inputs = resolveSecretInputs(e.machines[0]?.contracts[0]?.inputs ?? {}, () => input);
        const forged = forge(greeter, {
          target: "web-1",
          inputs,
          gitCommit: null,
          createdAt: "1970-01-01T00:00:00Z",
        });

        const shown = [
          serializePlan(plan),
          renderPlanHuman(plan, styler(false)).join("\n"),
          renderPlanMarkdown(plan),
          [...renderAnsibleTree(e).files.values()].join("\n"),
          logged,
          hfcJson(forged.hfc),
        ].join("\n");
        const escaped = (s: string) => JSON.stringify(s).slice(1, -1);
        for (const s of [db, token, input]) {
          expect(shown.includes(s) || shown.includes(escaped(s))).toBe(false);
        }
        expect(plan.contracts[0]?.action).toBe("run");
        expect(plan.changes.length).toBeGreaterThan(0);
        expect(logged).toContain("(sensitive) sha256:");
        expect(
          forged.script.includes(input) || forged.script.includes(input.replace(/'/g, "'\\''")),
        ).toBe(true);
      }),
      { numRuns: 25 },
    );
  });
});
