// The committed record of address allocations (`addresses.lock.yml` beside the infra): parsed
// with positions for diagnostics, and rendered byte-stable from an AddressPlan. Pure: content in,
// content out (the file is read in cli/load-estate.ts and written by `plumb generate`).
import type { Diagnostic } from "../diagnostics.js";
import { parseYamlSource } from "../source/yaml-source.js";
import {
  type AddressLock,
  type AddressPlan,
  EMPTY_LOCK,
  isRecord,
  parseIPv4,
  type Renumber,
} from "./addressing.js";

export const LOCK_FILE = "addresses.lock.yml";

export interface ParsedLock {
  readonly lock: AddressLock;
  /** Errors (PLB631), located in the lock file. */
  readonly diagnostics: readonly Diagnostic[];
}

const SUBNET = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.0\/24$/;

/** `text` undefined: no lock file yet (a fresh estate). */
export function parseAddressLock(text: string | undefined, file: string): ParsedLock {
  if (text === undefined) return { lock: EMPTY_LOCK, diagnostics: [] };
  const src = parseYamlSource(text, file);
  if (src.value === undefined && !src.empty) {
    return {
      lock: EMPTY_LOCK,
      diagnostics: src.diagnostics.map((d) => ({ ...d, code: "PLB631", severity: "error" })),
    };
  }
  const diagnostics: Diagnostic[] = [];
  const bad = (path: (string | number)[], message: string, target?: "key" | "value") =>
    diagnostics.push({
      code: "PLB631",
      severity: "error",
      message,
      hint: `${LOCK_FILE} is maintained by \`plumb generate\`: restore it from git, or delete it to number the estate afresh`,
      location: src.locate(path, target),
    });
  const root = src.empty ? {} : src.value;
  if (!isRecord(root)) {
    bad([], `${file}: expected a mapping with domains and machines`);
    return { lock: EMPTY_LOCK, diagnostics };
  }
  const domains: Record<string, string> = {};
  const machines: Record<string, string> = {};
  for (const key of Object.keys(root)) {
    if (key !== "domains" && key !== "machines")
      bad([key], `unknown key '${key}' (expected domains, machines)`, "key");
  }
  for (const [section, into, check] of [
    ["domains", domains, (v: string) => SUBNET.test(v) && parseIPv4(v.slice(0, -3)) !== undefined],
    ["machines", machines, (v: string) => parseIPv4(v) !== undefined],
  ] as const) {
    const v = root[section];
    if (v === undefined || v === null) continue;
    if (!isRecord(v)) {
      bad([section], `${section} must be a mapping of name → address`);
      continue;
    }
    for (const [name, addr] of Object.entries(v)) {
      if (typeof addr !== "string" || !check(addr)) {
        bad(
          [section, name],
          `${section}.${name}: ${JSON.stringify(addr)} is not ${section === "domains" ? "a subnet like 10.120.0.0/24" : "an IPv4 address"}`,
        );
      } else into[name] = addr;
    }
  }
  return { lock: diagnostics.length > 0 ? EMPTY_LOCK : { domains, machines }, diagnostics };
}

/** What the lock records for an addressing: every domain subnet and every machine IP known. */
export function lockOf(plan: AddressPlan): AddressLock {
  const domains: Record<string, string> = {};
  for (const name of [...plan.domains.keys()].sort())
    domains[name] = plan.domains.get(name)?.subnet as string;
  const machines: Record<string, string> = {};
  for (const m of [...plan.machines].sort((a, b) => (a.machine < b.machine ? -1 : 1)))
    if (m.ip !== undefined && parseIPv4(m.ip)) machines[m.machine] = m.ip;
  return { domains, machines };
}

const HEADER = [
  "# Address allocations of this estate, maintained by `plumb generate`; commit it.",
  "# Addresses are sticky: a recorded domain or machine keeps its address when others are added",
  "# or removed. Changing one is a renumber: `plumb generate --allow-renumber` records it and",
  "# `plumb apply --allow-renumber` applies it (docs/generator.md).",
];

const yamlKey = (k: string) => (/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k));

/** Byte-stable: sorted names, one `name: address` per line. */
export function renderAddressLock(lock: AddressLock): string {
  const lines = [...HEADER];
  for (const section of ["domains", "machines"] as const) {
    const entries = Object.entries(lock[section]).sort(([a], [b]) => (a < b ? -1 : 1));
    if (entries.length === 0) {
      lines.push(`${section}: {}`);
      continue;
    }
    lines.push(`${section}:`);
    for (const [name, addr] of entries) lines.push(`  ${yamlKey(name)}: ${addr}`);
  }
  return `${lines.join("\n")}\n`;
}

/** `domain ci: 10.120.0.0/24 → 10.120.1.0/24` */
export function renumberText(r: Renumber): string {
  return r.kind === "domain"
    ? `domain ${r.name}: ${r.from} → ${r.to}`
    : `machine ${r.name} (${r.domain}): ${r.from} → ${r.to}`;
}
