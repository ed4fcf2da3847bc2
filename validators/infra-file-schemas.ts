// Per-file JSON Schemas for directory mode (infra/base.yml, infra/domains/*.yml,
// infra/policies.yml), derived from the one infra schema so they cannot drift from it. Editors
// use them through the `# yaml-language-server: $schema=…` header of each file; `npm run gen`
// publishes them beside validators/infra.schema.json (the single-file schema).
import { infraSchema } from "./infra-schema.js";

const NAME = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$";
const { $defs } = infraSchema;

/** infra/base.yml: project_name and global; domains, policies and volumes may live here too. */
export const baseFileSchema = {
  $schema: infraSchema.$schema,
  $id: "urn:plumbline:schema:infra-base:1",
  title: "plumbline infra/base.yml",
  description:
    "Directory mode: project_name and global (domains may also be here; usually in infra/domains/*.yml). See docs/infra-reference.md.",
  type: "object",
  required: ["project_name", "global"],
  additionalProperties: false,
  properties: infraSchema.properties,
  $defs,
} as const;

/** infra/domains/<file>.yml: domain name → domain (a file may define several). */
export const domainFileSchema = {
  $schema: infraSchema.$schema,
  $id: "urn:plumbline:schema:infra-domain:1",
  title: "plumbline infra/domains/*.yml",
  description:
    "Directory mode: domains by name, each an Incus project and a bridge `net-<domain>`. See docs/infra-reference.md.",
  type: ["object", "null"],
  propertyNames: { pattern: NAME },
  additionalProperties: { $ref: "#/$defs/domain" },
  $defs,
} as const;

/** infra/policies.yml: only `network_policies` is read. */
export const policiesFileSchema = {
  $schema: infraSchema.$schema,
  $id: "urn:plumbline:schema:infra-policies:1",
  title: "plumbline infra/policies.yml",
  description: "Directory mode: the network policies (this file's only key).",
  type: ["object", "null"],
  additionalProperties: false,
  properties: {
    network_policies: infraSchema.properties.network_policies,
    // Read by core/approvals/policy.ts (which also reports mistakes with file:line:column).
    approvals: {
      type: ["object", "null"],
      description:
        "How many distinct approvers each kind of risk needs, where host access is forbidden (docs/reconcile.md#approvals).",
      additionalProperties: false,
      properties: {
        required: {
          type: "object",
          additionalProperties: false,
          properties: Object.fromEntries(
            [
              "delete",
              "replace",
              "restart",
              "delete_protected",
              "high_risk_contract",
              "host_access",
              "any",
            ].map((k) => [k, { type: "integer", minimum: 0, maximum: 100 }]),
          ),
        },
        forbid_host_access: {
          type: "array",
          items: { enum: ["admin", "trusted", "semi-trusted", "untrusted", "disposable"] },
        },
        github_reviewers: { type: "array", items: { type: "string" } },
      },
    },
    // Read by reconcilers/delivery/policy.ts (docs/delivery.md).
    contracts: {
      type: ["object", "null"],
      description:
        "What `plumb apply` does after a contract run fails: stop (default; the remaining runs are not started) or continue (docs/delivery.md).",
      additionalProperties: false,
      properties: { on_failure: { enum: ["stop", "continue"] } },
    },
  },
  $defs,
} as const;

/** Published file name (under validators/) → schema, for `npm run gen` and its freshness test. */
export const FILE_SCHEMAS = {
  "infra-base.schema.json": baseFileSchema,
  "infra-domain.schema.json": domainFileSchema,
  "infra-policies.schema.json": policiesFileSchema,
} as const;
