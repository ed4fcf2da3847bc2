// JSON Schema (draft 2020-12) of templates/<slug>/template.yml. Gates, operations and proofs
// are one-key objects of a bounded set of kinds (see core/model/template.ts).

const SLUG = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$";
const templated = (description: string) => ({ type: "string", minLength: 1, description }) as const;
const absTemplated = (description: string) =>
  ({
    type: "string",
    pattern: "^/",
    description: `${description} Absolute; may use {{ inputs }}.`,
  }) as const;
const command = (extra: Record<string, object> = {}) =>
  ({
    type: "object",
    required: ["exec"],
    additionalProperties: false,
    properties: {
      exec: {
        type: "string",
        pattern: "^[A-Za-z0-9/._+-]+$",
        description:
          "An executable of plumb's allowlist (docs/contracts.md) or the path of a bom entry declared executable: true. Never a shell, interpreter or exec wrapper.",
      },
      args: {
        type: "array",
        items: { type: "string" },
        description:
          "Arguments (no shell); each may use {{ inputs }} and the rendered list must match one of the executable's argument forms.",
      },
      ...extra,
    },
  }) as const;
const one = (key: string, value: object) =>
  ({
    type: "object",
    required: [key],
    additionalProperties: false,
    properties: { [key]: value },
  }) as const;

export const templateSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "urn:plumbline:schema:template:1",
  title: "plumbline contract template (templates/<slug>/template.yml)",
  type: "object",
  required: ["slug", "version", "description", "inputs", "sample_inputs"],
  additionalProperties: false,
  properties: {
    slug: { type: "string", pattern: SLUG, description: "Equals the folder name." },
    version: {
      type: "string",
      pattern: "^\\d+\\.\\d+\\.\\d+$",
      description: "Semantic version x.y.z.",
    },
    description: { type: "string", minLength: 1 },
    inputs: {
      type: "object",
      required: ["type", "properties"],
      properties: { type: { const: "object" }, properties: { type: "object" } },
      description:
        "JSON Schema of the inputs object (type: object). Declare additionalProperties: false.",
    },
    sample_inputs: {
      type: "object",
      description: "Inputs the gatekeeper renders and lints the template with.",
    },
    gates: {
      type: "array",
      description: "Checked before anything changes; the contract stops at the first failing gate.",
      items: {
        oneOf: [
          one("os_family", {
            type: "array",
            minItems: 1,
            items: { type: "string", pattern: "^[a-z0-9._-]+$" },
          }),
          one("port_free", { type: "integer", minimum: 1, maximum: 65535 }),
          one("command_exists", { type: "string", pattern: "^[A-Za-z0-9._+-]+$" }),
          one("file_absent", absTemplated("Path that must not exist.")),
          one("file_exists", absTemplated("Path that must exist.")),
          one("root", { const: true }),
        ],
      },
    },
    bom: {
      type: "array",
      description: "Files to deploy (bill of materials): written atomically, checksum-verified.",
      items: {
        type: "object",
        required: ["path", "source"],
        additionalProperties: false,
        properties: {
          path: absTemplated("Destination."),
          source: {
            type: "string",
            minLength: 1,
            description: "File under files/, rendered with nunjucks.",
          },
          mode: {
            type: "string",
            pattern: "^0?[0-7]{3,4}$",
            default: "0644",
            description:
              "Octal; never setuid, setgid or sticky. Executable bits need executable: true.",
          },
          owner: { type: "string", pattern: "^[a-z_][a-z0-9_-]*$", default: "root" },
          group: { type: "string", pattern: "^[a-z_][a-z0-9_-]*$", default: "root" },
          executable: {
            type: "boolean",
            default: false,
            description:
              "Declares an executable asset (mode 0755 by default): deployed without template expressions, literal path under /usr/local/bin, /usr/local/sbin or /opt; marks the template high risk.",
          },
        },
      },
    },
    operations: {
      type: "array",
      description: "Run in order after the BOM is written.",
      items: {
        oneOf: [
          one("apt_install", {
            type: "array",
            minItems: 1,
            items: {
              type: "string",
              minLength: 1,
              description: "Debian package name (checked after rendering); may use {{ inputs }}.",
            },
          }),
          one("service", {
            type: "object",
            required: ["name", "action"],
            additionalProperties: false,
            properties: {
              name: {
                type: "string",
                minLength: 1,
                description: "Unit name (checked after rendering); may use {{ inputs }}.",
              },
              action: { enum: ["enable", "start", "restart", "reload", "stop"] },
            },
          }),
          one("symlink", {
            type: "object",
            required: ["target", "link"],
            additionalProperties: false,
            properties: { target: absTemplated("Link target."), link: absTemplated("Link path.") },
          }),
          one("directory", {
            type: "object",
            required: ["path"],
            additionalProperties: false,
            properties: {
              path: absTemplated("Directory."),
              mode: {
                type: "string",
                pattern: "^0?[0-7]{3,4}$",
                description: "Octal, default 0755; never setuid, setgid or sticky.",
              },
              owner: { type: "string", pattern: "^[a-z_][a-z0-9_-]*$", default: "root" },
              group: { type: "string", pattern: "^[a-z_][a-z0-9_-]*$", default: "root" },
            },
          }),
          one("command", command()),
        ],
      },
    },
    actions: {
      type: "array",
      description:
        "Catalog actions (templates/actions/<action_id>.yml) run after the operations, in order; their probes join the proofs.",
      items: {
        type: "object",
        required: ["action"],
        additionalProperties: false,
        properties: {
          action: { type: "string", pattern: SLUG, description: "An action_id of the catalog." },
          params: {
            type: "object",
            description: "The action's params; strings may use {{ inputs }}.",
          },
        },
      },
    },
    proofs: {
      type: "array",
      description: "Checked last; every BOM checksum is re-verified too.",
      items: {
        oneOf: [
          one("file_contains", {
            type: "object",
            required: ["path", "text"],
            additionalProperties: false,
            properties: {
              path: absTemplated("File."),
              text: templated("Text that must appear (fixed string)."),
            },
          }),
          one("command", command({ stdout_contains: { type: "string" } })),
          one("service_active", {
            type: "string",
            minLength: 1,
            description: "Service that must be active (name checked after rendering).",
          }),
          one("package_installed", {
            type: "string",
            minLength: 1,
            description: "Debian package that must be installed (checked after rendering).",
          }),
          one("tcp_listening", { type: "integer", minimum: 1, maximum: 65535 }),
        ],
      },
    },
  },
} as const;
