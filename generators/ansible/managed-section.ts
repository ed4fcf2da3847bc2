// Managed sections, with anklume's exact markers so either tool can regenerate the other's files:
//
//   # === MANAGED BY infra.yml ===
//   # Do not edit this section — it will be overwritten by `plumb generate`
//   # plumb: sha256=<hex of the section text without this line>
//   <YAML body>
//   # === END MANAGED ===
//
// The hash line sits inside BEGIN…END, so anklume's non-greedy BEGIN.*?END regex still replaces
// the whole section. Pure: text in, text out.
import { hash } from "node:crypto";
import type { Code } from "../../core/codes.js";

export const MANAGED_BEGIN = "# === MANAGED BY infra.yml ===";
export const MANAGED_NOTICE =
  "# Do not edit this section — it will be overwritten by `plumb generate`";
export const MANAGED_END = "# === END MANAGED ===";
export const HASH_PREFIX = "# plumb: sha256=";
export const CUSTOM_FOOTER = "# Your custom variables below:";

/** The section for a YAML body: BEGIN … END, without a trailing newline. */
export function renderSection(body: string): string {
  const trimmed = body.trimEnd();
  const digest = sha256(`${MANAGED_NOTICE}\n${trimmed}`);
  return `${MANAGED_BEGIN}\n${MANAGED_NOTICE}\n${HASH_PREFIX}${digest}\n${trimmed}\n${MANAGED_END}`;
}

/** A file that does not exist yet: anklume's layout, with room for the user's variables. */
export function newFileText(section: string): string {
  return `---\n${section}\n\n${CUSTOM_FOOTER}\n`;
}

export interface SectionProblem {
  readonly code: Code;
  readonly message: string;
  readonly hint: string;
  /** 1-based line of the file the problem points at. */
  readonly line: number;
}

export interface ManagedSection {
  /** Offset of the BEGIN marker text (indentation before it stays the user's). */
  readonly start: number;
  /** Offset just after the END marker text. */
  readonly end: number;
  /** 1-based lines of the two markers. */
  readonly beginLine: number;
  readonly endLine: number;
  /** The hash recorded in the section, if it has a hash line (anklume's sections have none). */
  readonly recordedHash: string | undefined;
  /** Hash of the section text as it is now, computed the same way as when it was generated. */
  readonly actualHash: string;
}

export type ParsedFile =
  | { readonly ok: true; readonly section: ManagedSection }
  | { readonly ok: false; readonly problem: SectionProblem };

interface Marker {
  readonly kind: "begin" | "end";
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Finds the one managed section of an existing file. Missing, repeated or misordered markers are
 * problems to report: guessing which part is ours could destroy the user's text.
 */
export function parseManagedFile(text: string): ParsedFile {
  const markers: Marker[] = [];
  // A cheap scan first: most lines of a file are never compared against the markers.
  let from = 0;
  for (;;) {
    const at = text.indexOf("# === ", from);
    if (at < 0) break;
    const lineStart = text.lastIndexOf("\n", at - 1) + 1;
    let lineEnd = text.indexOf("\n", at);
    if (lineEnd < 0) lineEnd = text.length;
    const trimmed = text.slice(lineStart, lineEnd).trim();
    const kind = trimmed === MANAGED_BEGIN ? "begin" : trimmed === MANAGED_END ? "end" : undefined;
    if (kind !== undefined && text.slice(lineStart, at).trim() === "") {
      const length = kind === "begin" ? MANAGED_BEGIN.length : MANAGED_END.length;
      markers.push({ kind, line: lineNumber(text, lineStart), start: at, end: at + length });
    }
    from = lineEnd;
  }
  const begins = markers.filter((m) => m.kind === "begin");
  const ends = markers.filter((m) => m.kind === "end");
  if (begins.length === 0 && ends.length === 0) {
    return problem(
      "PLB601",
      "no managed section: the file exists but has no `# === MANAGED BY infra.yml ===` marker",
      "add the two marker lines where the generated variables should go (the section may be empty), or move the file away so it is created afresh",
      1,
    );
  }
  if (begins.length > 1 || ends.length > 1) {
    const second = (begins.length > 1 ? begins : ends)[1] as Marker;
    return problem(
      "PLB602",
      `the managed-section marker \`${second.kind === "begin" ? MANAGED_BEGIN : MANAGED_END}\` appears more than once`,
      "keep exactly one BEGIN and one END marker; delete the duplicated section",
      second.line,
    );
  }
  const begin = begins[0];
  const end = ends[0];
  if (begin === undefined || end === undefined || end.start < begin.start) {
    // Point at the marker that is out of place: the lone one, or END when it comes first.
    const present = (end ?? begin) as Marker;
    const message =
      begin === undefined
        ? "`# === END MANAGED ===` has no `# === MANAGED BY infra.yml ===` before it"
        : end === undefined
          ? "the managed section is not closed: `# === END MANAGED ===` is missing"
          : "`# === END MANAGED ===` comes before `# === MANAGED BY infra.yml ===`";
    return problem(
      "PLB603",
      message,
      "restore the marker lines so the section reads BEGIN, generated lines, END (or delete the file to regenerate it)",
      present.line,
    );
  }
  const innerText = text.slice(begin.end, end.start);
  const hashAt = innerText.indexOf(`\n${HASH_PREFIX}`);
  let recordedHash: string | undefined;
  if (hashAt >= 0) {
    const eol = innerText.indexOf("\n", hashAt + 1);
    recordedHash = innerText.slice(hashAt + 1 + HASH_PREFIX.length, eol).trim();
  }
  let actualHash: string | undefined;
  return {
    ok: true,
    section: {
      start: begin.start,
      end: end.end,
      beginLine: begin.line,
      endLine: end.line,
      recordedHash,
      // Lazy: an up-to-date file is recognised by comparing text, without hashing it.
      get actualHash() {
        actualHash ??= sha256(innerLines(innerText).join("\n"));
        return actualHash;
      },
    },
  };
}

/** The section's lines between the markers, without the hash line, CRs dropped. */
function innerLines(innerText: string): string[] {
  const lines = innerText.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  // The text between the markers starts and ends with the marker lines' own line breaks.
  const inner = lines.slice(1, -1);
  const hashAt = inner.findIndex((l) => l.startsWith(HASH_PREFIX));
  if (hashAt >= 0) inner.splice(hashAt, 1);
  return inner;
}

/** The hand edits inside a section: true when it has a hash and its text no longer matches. */
export function isHandEdited(section: ManagedSection): boolean {
  return section.recordedHash !== undefined && section.recordedHash !== section.actualHash;
}

/** Replaces the section, keeping every byte before and after it. */
export function spliceSection(text: string, section: ManagedSection, replacement: string): string {
  return text.slice(0, section.start) + replacement + text.slice(section.end);
}

export function sha256(text: string): string {
  return hash("sha256", text, "hex");
}

function lineNumber(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

function problem(code: Code, message: string, hint: string, line: number): ParsedFile {
  return { ok: false, problem: { code, message, hint, line } };
}
