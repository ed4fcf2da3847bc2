// Adoption of an existing generated-path file that has no managed section (a repository that
// kept its own host_vars/group_vars before plumb): the section is inserted and every other byte
// kept, so the file stays one YAML document — after its leading `---` when it has one, else
// under a new `---` at the top (anklume's behaviour for a file without a block). A key the user
// sets and the section also sets would be a duplicate key (last one wins in Ansible, silently):
// refused, naming both lines. Pure: text in, text out.
import jsyaml from "js-yaml";
import type { Code } from "../../core/codes.js";

export type Adoption =
  | { readonly ok: true; readonly after: string }
  | {
      readonly ok: false;
      readonly code: Code;
      readonly message: string;
      readonly hint: string;
      /** 1-based line of the existing file. */
      readonly line: number;
    };

const DOC_START = /^---(?:[ \t].*)?$/;
const DOC_END = /^\.\.\.(?:[ \t].*)?$/;

/** Inserts `section` (BEGIN … END, no trailing newline) into `before`, which has no markers. */
export function adoptFile(before: string, section: string, sectionBody: string): Adoption {
  const lines = before.split("\n");
  // The leading `---`, if any: only comments and blank lines may precede it.
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    const t = (lines[i] as string).replace(/\r$/, "");
    if (t.trim() === "" || t.trimStart().startsWith("#")) continue;
    if (DOC_START.test(t)) start = i;
    break;
  }
  const other = lines.findIndex(
    (l, i) =>
      i !== start && (DOC_START.test(l.replace(/\r$/, "")) || DOC_END.test(l.replace(/\r$/, ""))),
  );
  if (other !== -1) {
    return refuse(
      "PLB610",
      "cannot adopt a file with more than one YAML document",
      "keep one document in the file (Ansible reads only the first), then run generate again",
      other + 1,
    );
  }
  let userKeys: Map<string, number>;
  try {
    userKeys = topLevelKeys(before);
  } catch (e) {
    const mark = (e as { mark?: { line: number } }).mark;
    return refuse(
      "PLB610",
      "cannot adopt a file that is not valid YAML",
      "fix the YAML (or move the file away so it is created afresh)",
      (mark?.line ?? 0) + 1,
    );
  }
  let after: string;
  let sectionFirstLine: number;
  if (start === -1) {
    after = `---\n${section}\n\n${before}`;
    sectionFirstLine = 2;
  } else {
    const head = lines.slice(0, start + 1).join("\n");
    const rest = lines.slice(start + 1).join("\n");
    after = `${head}\n${section}\n\n${rest}`;
    sectionFirstLine = start + 2;
  }
  const managedKeys = topLevelKeys(sectionBody);
  // The body starts after the BEGIN, notice and hash lines of the section.
  const bodyOffset = section.split("\n").indexOf(sectionBody.split("\n")[0] ?? "");
  for (const [key, userLine] of userKeys) {
    const bodyLine = managedKeys.get(key);
    if (bodyLine === undefined) continue;
    const managedLine = sectionFirstLine + Math.max(0, bodyOffset) + bodyLine - 1;
    return refuse(
      "PLB609",
      `key '${key}' is set at line ${userLine} and by the managed section plumb would insert (its line ${managedLine} after adoption)`,
      `remove or rename '${key}' at line ${userLine}: plumb generates it from the infra`,
      userLine,
    );
  }
  return { ok: true, after };
}

/** Top-level keys of a YAML mapping document → their 1-based lines (empty for an empty file). */
function topLevelKeys(text: string): Map<string, number> {
  const value = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
  const keys = new Map<string, number>();
  if (value === null || value === undefined) return keys;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw Object.assign(new Error("not a mapping"), { mark: { line: firstContentLine(text) } });
  }
  const lines = text.split("\n");
  for (const key of Object.keys(value)) {
    const re = new RegExp(`^(["']?)${escapeRe(key)}\\1\\s*:`);
    const i = lines.findIndex((l) => re.test(l));
    keys.set(key, i === -1 ? 1 : i + 1);
  }
  return keys;
}

function firstContentLine(text: string): number {
  const i = text
    .split("\n")
    .findIndex((l) => l.trim() !== "" && !l.trimStart().startsWith("#") && !DOC_START.test(l));
  return Math.max(0, i);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function refuse(code: Code, message: string, hint: string, line: number): Adoption {
  return { ok: false, code, message, hint, line };
}
