import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CUSTOM_FOOTER,
  HASH_PREFIX,
  isHandEdited,
  MANAGED_BEGIN,
  MANAGED_END,
  MANAGED_NOTICE,
  newFileText,
  parseManagedFile,
  renderSection,
  spliceSection,
} from "./managed-section.js";

// anklume's own matcher (scripts/psot/constants.py MANAGED_RE), to prove compatibility.
const ANKLUME_RE = /# === MANAGED BY infra\.yml ===[\s\S]*?# === END MANAGED ===/;

function parsed(text: string) {
  const p = parseManagedFile(text);
  if (!p.ok) throw new Error(`unexpected problem: ${p.problem.message}`);
  return p.section;
}

describe("renderSection / newFileText", () => {
  it("uses anklume's markers and notice, with the hash line inside the section", () => {
    const section = renderSection("a: 1\nb: 2\n");
    const lines = section.split("\n");
    expect(lines[0]).toBe(MANAGED_BEGIN);
    expect(lines[1]).toBe(MANAGED_NOTICE);
    expect(lines[2]).toMatch(/^# plumb: sha256=[0-9a-f]{64}$/);
    expect(lines.slice(3)).toEqual(["a: 1", "b: 2", MANAGED_END]);
    expect(ANKLUME_RE.exec(section)?.[0]).toBe(section);
  });

  it("lays out a new file as anklume does", () => {
    const section = renderSection("a: 1\n");
    expect(newFileText(section)).toBe(`---\n${section}\n\n${CUSTOM_FOOTER}\n`);
  });

  it("records a hash that verifies, and that changes with the body", () => {
    const s = parsed(newFileText(renderSection("a: 1\n")));
    expect(s.recordedHash).toBe(s.actualHash);
    expect(isHandEdited(s)).toBe(false);
    expect(parsed(newFileText(renderSection("a: 2\n"))).recordedHash).not.toBe(s.recordedHash);
  });
});

describe("parseManagedFile", () => {
  const body = `${MANAGED_BEGIN}\n${MANAGED_NOTICE}\nx: 1\n${MANAGED_END}`;

  it("finds the section and its marker lines", () => {
    const text = `---\n# mine\n${body}\n\nz: 2\n`;
    const s = parsed(text);
    expect([s.beginLine, s.endLine]).toEqual([3, 6]);
    expect(text.slice(s.start, s.end)).toBe(body);
  });

  it("accepts anklume's sections, which have no hash: edits cannot be checked", () => {
    const s = parsed(`---\n${body}\n`);
    expect(s.recordedHash).toBeUndefined();
    expect(isHandEdited(s)).toBe(false);
  });

  it("reports a file without markers (PLB601) instead of guessing", () => {
    const p = parseManagedFile("---\nfoo: 1\n");
    expect(p.ok || p.problem).toMatchObject({ code: "PLB601", line: 1 });
  });

  it("reports a duplicated marker (PLB602) at the second one", () => {
    const p = parseManagedFile(`---\n${body}\n${body}\n`);
    expect(p.ok || p.problem).toMatchObject({ code: "PLB602", line: 6 });
  });

  it("reports END before BEGIN and an unclosed section (PLB603)", () => {
    const swapped = parseManagedFile(`${MANAGED_END}\nx: 1\n${MANAGED_BEGIN}\n`);
    expect(swapped.ok || swapped.problem).toMatchObject({ code: "PLB603", line: 1 });
    const unclosed = parseManagedFile(`---\n${MANAGED_BEGIN}\nx: 1\n`);
    expect(unclosed.ok || unclosed.problem).toMatchObject({ code: "PLB603", line: 2 });
    const orphanEnd = parseManagedFile(`---\nx: 1\n${MANAGED_END}\n`);
    expect(orphanEnd.ok || orphanEnd.problem).toMatchObject({ code: "PLB603", line: 3 });
  });

  it("ignores marker text that is part of a longer line", () => {
    const p = parseManagedFile(`---\nnote: "${MANAGED_BEGIN}"\n${body}\n`);
    expect(p.ok).toBe(true);
  });

  it("detects a hand edit inside the section, not outside it", () => {
    const file = newFileText(renderSection("a: 1\nb: 2\n"));
    expect(isHandEdited(parsed(`${file}extra: 3\n`))).toBe(false);
    expect(isHandEdited(parsed(file.replace("b: 2", "b: 3")))).toBe(true);
    expect(isHandEdited(parsed(file.replace("a: 1\n", "a: 1\nnew: x\n")))).toBe(true);
  });

  it("does not take CRLF line endings for a hand edit", () => {
    const file = newFileText(renderSection("a: 1\n")).replace(/\n/g, "\r\n");
    expect(isHandEdited(parsed(file))).toBe(false);
  });
});

describe("spliceSection", () => {
  const markerFree = fc
    .string({ unit: "grapheme", maxLength: 40 })
    .filter((s) => !s.includes("# === "));

  it("keeps every byte outside the section and is idempotent", () => {
    fc.assert(
      fc.property(markerFree, markerFree, fc.string({ maxLength: 30 }), (before, after, v) => {
        // Given user text around an existing section
        const old = renderSection("old: 1\n");
        const text = `${before}\n${old}\n${after}`;
        const section = renderSection(`v: '${v.replace(/'/g, "''")}'\n`);
        // When the section is replaced (twice)
        const once = spliceSection(text, parsed(text), section);
        const twice = spliceSection(once, parsed(once), section);
        // Then the text around it is untouched and a second splice changes nothing
        expect(once).toBe(`${before}\n${section}\n${after}`);
        expect(twice).toBe(once);
        expect(isHandEdited(parsed(once))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("replaces exactly what anklume's regex would replace", () => {
    const text = `---\n  ${renderSection("a: 1\n")}\ntail: 1\n`;
    const s = parsed(text);
    const next = renderSection("a: 2\n");
    expect(spliceSection(text, s, next)).toBe(text.replace(ANKLUME_RE, next));
  });

  it("writes the hash line that a fresh parse verifies", () => {
    const text = spliceSection(
      `---\n${renderSection("a: 1\n")}\n`,
      parsed(`---\n${renderSection("a: 1\n")}\n`),
      renderSection("b: 2\n"),
    );
    expect(text).toContain(HASH_PREFIX);
    expect(isHandEdited(parsed(text))).toBe(false);
  });
});
