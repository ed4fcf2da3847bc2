// Command entries for the infra itself: validate, generate (sync), schema.
import type { CommandSpec } from "../spec.js";
import { allowUnknownKeysOption, formatOption, infraOption } from "./options.js";

export const INFRA_COMMANDS: readonly CommandSpec[] = [
  {
    name: "validate",
    summary: "Check the infra YAML (schema, then semantic rules) and report every problem",
    description:
      "Reads infra.yml or infra/ (base.yml, domains/*.yml, policies.yml), checks it against the JSON Schema, then\n" +
      "runs the semantic rules (names, addressing, references, policies, GPU, …), and the template gatekeeper on\n" +
      "templates/ (see `plumb templates --help`). Reports all problems at once\n" +
      "with file:line:column and a hint. Unknown keys are errors (with a did-you-mean); keys anklume's own\n" +
      "scripts read (file_portal, export_apps) get a note. Exit 0 when valid (warnings allowed), 1 otherwise.",
    usage:
      "plumb validate [--format human|json|github] [--strict] [--allow-unknown-keys] [--infra <path>]",
    options: {
      format: formatOption,
      strict: { type: "boolean", description: "Treat warnings (advice) as errors" },
      "allow-unknown-keys": allowUnknownKeysOption,
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
      [
        "plumb validate --allow-unknown-keys",
        "Report unknown keys as warnings (an estate carrying keys for other tools)",
      ],
      ["plumb validate --json | jq '.diagnostics[].code'", "List the error codes"],
    ],
    load: () => import("../commands/validate.js"),
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
      "Also keeps infra/addresses.lock.yml, the recorded address of every domain and machine (sticky addressing):\n" +
      "new objects are added, removed ones dropped; a changed address is refused unless --allow-renumber.\n" +
      "Exit 0 on success; 1 on errors, and with --check when anything would change.",
    usage:
      "plumb generate [--check | --dry-run] [--prune [--yes]] [--force] [--out <dir>] [--format human|json|github]",
    options: {
      "allow-renumber": {
        type: "boolean",
        description:
          "Record in addresses.lock.yml a change to an existing address (refused otherwise; see docs/generator.md)",
      },
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
        description:
          "Where inventory/, group_vars/, host_vars/ go (default: global.ansible_dir, else the repository root)",
      },
      format: formatOption,
      strict: { type: "boolean", description: "Treat validation warnings as errors" },
      "allow-unknown-keys": allowUnknownKeysOption,
      infra: infraOption,
      quiet: {
        type: "boolean",
        short: "q",
        description: "Print only what needs attention (errors, orphans, a failing --check)",
      },
    },
    examples: [
      ["plumb generate", "Write the Ansible tree of the repository you are in"],
      [
        "plumb generate --check --format github",
        "In CI: fail with a diff and annotations when the committed tree is stale",
      ],
      ["plumb generate --dry-run", "Show what would be written, write nothing"],
      ["plumb generate --prune --yes", "Also delete files of removed domains and machines"],
      ["plumb generate --allow-renumber", "Record a deliberate subnet_id/ip change in the lock"],
      ["plumb sync --infra ../anklume/infra.yml --out /tmp/tree", "anklume's name; another estate"],
    ],
    load: () => import("../commands/generate.js"),
  },
  {
    name: "schema",
    summary: "Print the JSON Schema of the infra format (for editors and other tools)",
    usage: "plumb schema",
    options: {},
    examples: [
      ["plumb schema > infra.schema.json", "Save the schema"],
      [
        "# yaml-language-server: $schema=validators/infra.schema.json",
        "First line of an infra.yml (single file): editors then complete and check it",
      ],
      [
        "# yaml-language-server: $schema=../../validators/infra-domain.schema.json",
        "First line of infra/domains/*.yml (also infra-base / infra-policies.schema.json)",
      ],
    ],
    load: () => import("../commands/schema.js"),
  },
];
