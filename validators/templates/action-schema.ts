// JSON Schema (draft 2020-12) of a catalog action (templates/actions/<action_id>.yml). Steps
// and probes reuse the template schema's bounded step types.
import { ACTION_ROLES, CONSENT_LEVELS, RISK_LEVELS } from "../../core/model/action.js";
import { templateSchema } from "../template-schema.js";

export const actionSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "urn:plumbline:schema:action:1",
  title: "plumbline catalog action (templates/actions/<action_id>.yml)",
  type: "object",
  required: [
    "action_id",
    "title",
    "description",
    "risk_level",
    "consent_level",
    "role",
    "params",
    "sample_params",
    "steps",
    "probes",
  ],
  additionalProperties: false,
  properties: {
    action_id: {
      type: "string",
      pattern: "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
      description: "Equals the file name.",
    },
    title: { type: "string", minLength: 1, maxLength: 120 },
    description: { type: "string", minLength: 1 },
    risk_level: { enum: [...RISK_LEVELS] },
    consent_level: { enum: [...CONSENT_LEVELS] },
    role: { enum: [...ACTION_ROLES], description: "The role a principal needs to run it." },
    params: {
      type: "object",
      required: ["type", "properties"],
      properties: { type: { const: "object" }, properties: { type: "object" } },
      description: "JSON Schema of the params; mark secrets with x-sensitive: true.",
    },
    sample_params: { type: "object" },
    steps: { ...templateSchema.properties.operations, minItems: 1 },
    probes: { ...templateSchema.properties.proofs, minItems: 1 },
  },
} as const;
