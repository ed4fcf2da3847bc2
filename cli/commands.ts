// The declarative command table, assembled from cli/table/ (one file per area). One entry per
// command; its module is imported only when run. The order here is the order of `plumb --help`.
import type { CommandSpec, OptionSpec } from "./spec.js";
import { CONTRACT_COMMANDS } from "./table/contracts.js";
import { GITOPS_COMMANDS } from "./table/gitops.js";
import { INFRA_COMMANDS } from "./table/infra.js";
import { reconcileCommands } from "./table/reconcile.js";
import { TARGET_COMMANDS } from "./table/targets.js";

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

export const COMMANDS: readonly CommandSpec[] = [
  ...INFRA_COMMANDS.filter((c) => c.name !== "schema"),
  ...reconcileCommands(),
  ...CONTRACT_COMMANDS,
  ...TARGET_COMMANDS,
  ...GITOPS_COMMANDS,
  ...INFRA_COMMANDS.filter((c) => c.name === "schema"),
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}
