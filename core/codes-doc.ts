// Renders docs/error-codes.md from the code table (written by `npm run gen`, checked by a test).
import { CODES } from "./codes.js";

const RANGES: [prefix: string, title: string][] = [
  ["PLB0", "Reading the input (PLB0xx)"],
  ["PLB1", "Structure: the JSON Schema (PLB1xx)"],
  ["PLB2", "Names (PLB2xx)"],
  ["PLB3", "Addressing (PLB3xx)"],
  ["PLB4", "References and policies (PLB4xx)"],
  ["PLB5", "Machines, devices, GPU (PLB5xx)"],
  ["PLB6", "Generator (PLB6xx)"],
  ["PLB7", "Incus driver and reconcilers (PLB7xx)"],
  ["PLB8", "Contracts, keys and signatures (PLB8xx)"],
  ["PLB9", "Command line and internal (PLB9xx)"],
];

export function renderErrorCodesDoc(): string {
  const lines = [
    "# Error codes",
    "",
    "<!-- Generated from core/codes.ts by `npm run gen`. Do not edit by hand. -->",
    "",
    'Every diagnostic and error plumb prints carries a stable code (`error[PLB302]`, `"code": "PLB302"` in JSON,',
    "`title=PLB302 error` in GitHub annotations). Codes never change meaning; scripts may match on them.",
    "",
  ];
  for (const [prefix, title] of RANGES) {
    const entries = Object.entries(CODES).filter(([code]) => code.startsWith(prefix));
    if (entries.length === 0) continue;
    lines.push(
      `## ${title}`,
      "",
      "| code | title | what it means and how to fix it |",
      "|---|---|---|",
    );
    for (const [code, info] of entries)
      lines.push(`| ${code} | ${info.title} | ${info.help.replace(/\|/g, "\\|")} |`);
    lines.push("");
  }
  return lines.join("\n");
}
