// The declarative command table. One entry per command; its module is imported only when run.
import type { CommandSpec, OptionSpec } from "./spec.js";

export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  root: {
    type: "string",
    valueName: "dir",
    description: "Repository root (default: nearest ancestor holding infra/ or infra.yml)",
  },
  json: { type: "boolean", description: "Machine-readable JSON on stdout" },
  "no-color": { type: "boolean", description: "No ANSI colours (also: NO_COLOR=1)" },
  debug: { type: "boolean", description: "Show stack traces of unexpected errors" },
  help: { type: "boolean", short: "h", description: "Show help" },
  version: { type: "boolean", short: "V", description: "Print the version" },
};

const infraOption: OptionSpec = {
  type: "string",
  valueName: "path",
  description:
    "The infra input: an infra.yml file or an infra/ directory (default: found under the root)",
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "validate",
    summary: "Check the infra YAML (schema, then semantic rules) and report every problem",
    description:
      "Reads infra.yml or infra/ (base.yml, domains/*.yml, policies.yml), checks it against the JSON Schema, then\n" +
      "runs the semantic rules (names, addressing, references, policies, GPU, …). Reports all problems at once\n" +
      "with file:line:column and a hint. Exit 0 when valid (warnings allowed), 1 otherwise.",
    usage: "plumb validate [--format human|json|github] [--strict] [--infra <path>]",
    options: {
      format: {
        type: "string",
        valueName: "fmt",
        choices: ["human", "json", "github"],
        default: "human",
        description: "Output format; `github` prints workflow annotations",
      },
      strict: { type: "boolean", description: "Treat warnings (unknown keys, advice) as errors" },
      infra: infraOption,
      quiet: { type: "boolean", short: "q", description: "Print only problems, no summary line" },
    },
    examples: [
      ["plumb validate", "Validate the estate of the repository you are in"],
      [
        "plumb validate --strict --format github",
        "In CI: annotate the pull request, fail on warnings too",
      ],
      ["plumb validate --infra ../anklume/infra.yml", "Check an anklume infra.yml"],
      ["plumb validate --json | jq '.diagnostics[].code'", "List the error codes"],
    ],
    load: () => import("./commands/validate.js"),
  },
  {
    name: "schema",
    summary: "Print the JSON Schema of the infra format (for editors and other tools)",
    usage: "plumb schema",
    options: {},
    examples: [
      ["plumb schema > infra.schema.json", "Save the schema"],
      [
        "# yaml-language-server: $schema=../validators/infra.schema.json",
        "First line of an infra file: editors then complete and check it",
      ],
    ],
    load: () => import("./commands/schema.js"),
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}
