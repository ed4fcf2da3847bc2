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
      "runs the semantic rules (names, addressing, references, policies, GPU, …), and the template gatekeeper on\n" +
      "templates/ (see `plumb templates --help`). Reports all problems at once\n" +
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
      "skip-templates": {
        type: "boolean",
        description: "Do not run the template gatekeeper on templates/",
      },
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
    name: "generate",
    aliases: ["sync"],
    summary:
      "Render the Ansible tree (inventory/, group_vars/, host_vars/) from the validated infra",
    description:
      "Validates first, then writes anklume-compatible files: inventory/<domain>.yml, group_vars/all.yml,\n" +
      "group_vars/<domain>.yml and host_vars/<machine>.yml. Only the `# === MANAGED BY infra.yml ===` section of a\n" +
      "file is rewritten; your text around it is kept byte for byte. A section edited by hand is detected (hash)\n" +
      "and refused unless --force. Every file is checked before any is written; each write is atomic and only\n" +
      "files whose bytes change are written. Files of undeclared domains/machines are reported as orphans.\n" +
      "Exit 0 on success; 1 on errors, and with --check when anything would change.",
    usage:
      "plumb generate [--check | --dry-run] [--prune [--yes]] [--force] [--out <dir>] [--format human|json|github]",
    options: {
      check: {
        type: "boolean",
        description:
          "Write nothing; print a diff per file and exit 1 if anything would change (CI)",
      },
      "dry-run": { type: "boolean", description: "Write nothing; show what would be written" },
      prune: {
        type: "boolean",
        description: "Delete orphaned files (asks first; ephemeral: false files are never deleted)",
      },
      yes: { type: "boolean", short: "y", description: "Do not ask before pruning (scripts, CI)" },
      force: {
        type: "boolean",
        description: "Overwrite managed sections that were edited by hand",
      },
      out: {
        type: "string",
        valueName: "dir",
        description: "Where inventory/, group_vars/, host_vars/ go (default: the repository root)",
      },
      format: {
        type: "string",
        valueName: "fmt",
        choices: ["human", "json", "github"],
        default: "human",
        description: "Output format; `github` prints workflow annotations",
      },
      strict: { type: "boolean", description: "Treat validation warnings as errors" },
      infra: infraOption,
      quiet: { type: "boolean", short: "q", description: "No per-file lines and no summary" },
    },
    examples: [
      ["plumb generate", "Write the Ansible tree of the repository you are in"],
      [
        "plumb generate --check --format github",
        "In CI: fail with a diff and annotations when the committed tree is stale",
      ],
      ["plumb generate --dry-run", "Show what would be written, write nothing"],
      ["plumb generate --prune --yes", "Also delete files of removed domains and machines"],
      ["plumb sync --infra ../anklume/infra.yml --out /tmp/tree", "anklume's name; another estate"],
    ],
    load: () => import("./commands/generate.js"),
  },
  {
    name: "templates",
    summary: "Check contract templates (manifest, assets, logic, hash) or update templates.lock",
    description:
      "The gatekeeper for templates/<slug>/ folders, in four stages: the manifest matches the template schema; every\n" +
      "file is inside the folder, no symlinks, sizes bounded; rendered with its sample inputs, the compiled script passes\n" +
      "bash -n and shellcheck and uses no forbidden pattern; the folder's hash matches templates.lock.\n" +
      "`lock` records the current hashes after the first three stages pass (commit it with the reviewed change).",
    usage: "plumb templates check [slug…] [--format human|json|github] | plumb templates lock",
    positionals: { min: 1, max: 64 },
    options: {
      format: {
        type: "string",
        valueName: "fmt",
        choices: ["human", "json", "github"],
        default: "human",
        description: "Output format",
      },
    },
    examples: [
      ["plumb templates check", "Run all four stages on every template"],
      ["plumb templates check motd", "Only report on one template"],
      [
        "plumb templates lock && git add templates.lock",
        "After reviewing a template change, record its hash",
      ],
    ],
    load: () => import("./commands/templates.js"),
  },
  {
    name: "contract",
    summary: "Forge a contract from a template: typed inputs → HFC document + compiled Bash script",
    description:
      "forge validates the inputs against the template's schema, renders it, and writes .plumb/contracts/<id>/contract.sh\n" +
      "(the script a target runs) and hfc.json (header, gates, bom with sha256, operations, proofs). Deterministic: the same\n" +
      "template, inputs, target and commit give the same bytes (created_at comes from SOURCE_DATE_EPOCH or the commit).",
    usage:
      "plumb contract forge <slug> --target <machine> [--input key=value …] [--out <dir>] [--print]",
    positionals: { min: 1, max: 2 },
    options: {
      input: {
        type: "string",
        multiple: true,
        valueName: "key=value",
        description: "A template input (repeatable); key=@file reads the value from a file",
      },
      target: {
        type: "string",
        valueName: "machine",
        description: "The machine the contract is for (bound into the contract)",
      },
      "external-target": {
        type: "boolean",
        description: "Allow a target that is not a machine of infra/ (a plain server)",
      },
      out: {
        type: "string",
        valueName: "dir",
        description: "Output directory (default .plumb/contracts/<id>)",
      },
      print: { type: "boolean", description: "Also print the compiled script on stdout" },
      "created-at": {
        type: "string",
        valueName: "iso",
        description:
          "Creation time to record (default: SOURCE_DATE_EPOCH, else the HEAD commit time)",
      },
    },
    examples: [
      [
        "plumb contract forge nginx-standalone --input domain=example.com --target web-front-1",
        "Forge the nginx contract for one machine",
      ],
      [
        "plumb contract forge motd --input banner=@banner.txt --input owner=ops --target ops-bastion --print | less",
        "Read the compiled script before signing it",
      ],
    ],
    load: () => import("./commands/contract.js"),
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
