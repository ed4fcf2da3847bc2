// --help text generated from the command table.
import { EXIT_CODE_MEANING } from "../core/errors.js";
import type { Styler } from "../core/output/output.js";
import { COMMANDS, GLOBAL_OPTIONS } from "./commands.js";
import type { CommandSpec, OptionSpec } from "./spec.js";

function optionRows(options: Readonly<Record<string, OptionSpec>>): [string, string][] {
  return Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? ` <${o.valueName ?? "value"}>` : ""}`;
    const extra = [
      o.choices ? `one of: ${o.choices.join(", ")}` : "",
      o.default !== undefined && o.default !== false ? `default: ${String(o.default)}` : "",
    ]
      .filter(Boolean)
      .join("; ");
    return [flag, extra ? `${o.description} (${extra})` : o.description];
  });
}

function table(rows: [string, string][]): string[] {
  const width = Math.max(0, ...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`);
}

export function commandHelp(c: CommandSpec, s: Styler): string {
  const lines = [
    `${s.bold(`plumb ${c.name}`)} — ${c.summary}`,
    "",
    `${s.bold("Usage:")} ${c.usage}`,
  ];
  if (c.aliases?.length) lines.push(`${s.bold("Aliases:")} ${c.aliases.join(", ")}`);
  if (c.description) lines.push("", c.description);
  if (Object.keys(c.options).length)
    lines.push("", s.bold("Options:"), ...table(optionRows(c.options)));
  lines.push("", s.bold("Global options:"), ...table(optionRows(GLOBAL_OPTIONS)));
  lines.push("", s.bold("Examples:"));
  for (const [cmd, what] of c.examples) lines.push(`  $ ${cmd}`, `      ${s.dim(what)}`);
  return lines.join("\n");
}

export function mainHelp(version: string, s: Styler): string {
  return [
    `${s.bold("plumb")} ${version} — GitOps declarative reconciler (infra YAML → Ansible files, Incus, signed contracts)`,
    "",
    `${s.bold("Usage:")} plumb <command> [options]`,
    "",
    s.bold("Commands:"),
    ...table(COMMANDS.map((c) => [c.name, c.summary])),
    "",
    s.bold("Global options:"),
    ...table(optionRows(GLOBAL_OPTIONS)),
    "",
    s.bold("Examples:"),
    "  $ plumb validate",
    `      ${s.dim("Check infra/ of the repository you are in")}`,
    "  $ plumb validate --help",
    `      ${s.dim("Everything about one command")}`,
    "",
    `Exit codes: ${Object.entries(EXIT_CODE_MEANING)
      .map(([code, meaning]) => `${code} ${meaning}`)
      .join(", ")}.`,
    "Docs: docs/ in the repository.",
  ].join("\n");
}
