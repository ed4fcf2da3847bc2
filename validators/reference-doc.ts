// Renders the key tables of docs/infra-reference.md from the JSON Schema, so the reference
// cannot drift from what the validator accepts (spliced by `npm run gen`, checked by a test).
import { infraSchema } from "./infra-schema.js";

type S = Record<string, unknown>;

const SECTIONS: [title: string, pointer: string, prefix: string][] = [
  ["Top level", "#", ""],
  ["`global`", "#/$defs/global", "global."],
  ["`global.addressing`", "#/$defs/global/properties/addressing", "global.addressing."],
  ["`global.resource_policy`", "#/$defs/resourcePolicy", "global.resource_policy."],
  ["`domains.<domain>`", "#/$defs/domain", ""],
  ["`domains.<domain>.profiles.<profile>`", "#/$defs/profile", ""],
  ["`domains.<domain>.machines.<machine>`", "#/$defs/machine", ""],
  ["`domains.<domain>.machines.<machine>.ssh`", "#/$defs/ssh", "ssh."],
  ["`domains.<domain>.machines.<machine>.contracts[]`", "#/$defs/contract", ""],
  ["`network_policies[]`", "#/$defs/policy", ""],
  ["`shared_volumes.<volume>`", "#/$defs/sharedVolume", ""],
];

function at(pointer: string): S {
  let cur: unknown = infraSchema;
  for (const seg of pointer.replace(/^#\/?/, "").split("/").filter(Boolean)) cur = (cur as S)[seg];
  return cur as S;
}

function typeOf(s: S): string {
  if (typeof s.$ref === "string")
    return s.$ref === "#/$defs/config"
      ? "mapping key → string/number/boolean"
      : s.$ref === "#/$defs/devices"
        ? "mapping name → device"
        : "mapping";
  if ("const" in s) return `\`${JSON.stringify(s.const)}\``;
  if (Array.isArray(s.enum)) return s.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  if (Array.isArray(s.anyOf)) return (s.anyOf as S[]).map(typeOf).join(" or ");
  const t = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
  const names = t
    .filter(Boolean)
    .map((x) => ({ object: "mapping", array: "list", null: "null", integer: "integer" })[x] ?? x);
  let out = names.join(" or ") || "any";
  if (t.includes("array") && s.items) out = `list of ${typeOf(s.items as S)}`;
  if (typeof s.minimum === "number" || typeof s.maximum === "number")
    out += ` ${s.minimum ?? ""}–${s.maximum ?? ""}`;
  if (typeof s.pattern === "string") out += ` matching \`${s.pattern}\``;
  return out;
}

export function renderKeyTables(): string {
  const lines: string[] = [];
  for (const [title, pointer, prefix] of SECTIONS) {
    const s = at(pointer);
    const props = (s.properties ?? {}) as Record<string, S>;
    const required = new Set((s.required as string[] | undefined) ?? []);
    lines.push(`### ${title}`, "");
    if (typeof s.description === "string") lines.push(s.description, "");
    lines.push("| key | type | required | default | meaning |", "|---|---|---|---|---|");
    for (const [key, raw] of Object.entries(props)) {
      const p =
        typeof raw.$ref === "string" &&
        raw.$ref.startsWith("#/$defs/") &&
        !["#/$defs/config", "#/$defs/devices"].includes(raw.$ref)
          ? { ...at(raw.$ref), ...raw }
          : raw;
      const type = typeof raw.$ref === "string" && p !== raw ? "mapping (below)" : typeOf(p);
      const def = "default" in p ? `\`${JSON.stringify(p.default)}\`` : "";
      const desc = String(p.description ?? "")
        .replace(/\|/g, "\\|")
        .replace(/\n/g, " ");
      lines.push(
        `| \`${prefix}${key}\` | ${type} | ${required.has(key) ? "yes" : ""} | ${def} | ${desc} |`,
      );
    }
    lines.push("");
  }
  return lines.join("\n");
}

export const GENERATED_BEGIN = "<!-- BEGIN GENERATED: key tables (npm run gen) -->";
export const GENERATED_END = "<!-- END GENERATED -->";

/** Replaces the generated block of the reference document with fresh tables. */
export function spliceKeyTables(doc: string): string {
  const b = doc.indexOf(GENERATED_BEGIN);
  const e = doc.indexOf(GENERATED_END);
  if (b === -1 || e === -1 || e < b)
    throw new Error("docs/infra-reference.md lost its generated-block markers");
  return `${doc.slice(0, b + GENERATED_BEGIN.length)}\n\n${renderKeyTables()}\n${doc.slice(e)}`;
}
