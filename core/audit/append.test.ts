// The audit chain: appends chain and verify; any one-byte edit, deleted line, swapped pair or
// forged insertion is found and named; a torn last line is detected, moved aside and recorded.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { appendAudit, auditPath } from "./append.js";
import { seal } from "./envelope.js";
import { splitLog, verifyAuditText } from "./verify.js";

const fresh = () => mkdtempSync(join(tmpdir(), "plumb-audit-"));

function logOf(n: number): { root: string; text: string } {
  const root = fresh();
  for (let i = 0; i < n; i++)
    appendAudit(root, {
      type: i % 2 ? "apply.step" : "plan",
      priority: "P2",
      actor: "tester",
      payload: { i, note: `step ${i} ✓` },
    });
  return { root, text: readFileSync(auditPath(root), "utf8") };
}

describe("appendAudit", () => {
  it("chains entries: seq counts up, each points at the hash before, the log verifies", () => {
    const { text } = logOf(5);
    const v = verifyAuditText(text);
    expect(v.ok).toBe(true);
    expect(v.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < 5; i++) expect(v.entries[i]?.prev).toBe(v.entries[i - 1]?.hash);
    expect(v.entries[0]).toMatchObject({
      type: "plan",
      priority: "P2",
      actor: "tester",
      parent_id: null,
    });
  });

  it("refuses unknown types, bad priorities and non-JSON payloads before writing", () => {
    const root = fresh();
    const bad = [
      { type: "nope", priority: "P1", payload: {} },
      { type: "plan", priority: "P9", payload: {} },
      { type: "plan", priority: "P1", payload: { f: () => 1 } },
    ];
    for (const b of bad)
      expect(() => appendAudit(root, b as never)).toThrow(
        expect.objectContaining({ code: "PLB943" }),
      );
    expect(existsSync(auditPath(root))).toBe(false);
  });

  it("any one-byte edit is detected at the edited line", () => {
    const { text } = logOf(6);
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
    fc.assert(
      fc.property(fc.nat(text.length - 1), fc.integer({ min: 1, max: 255 }), (pos, delta) => {
        const bytes = Buffer.from(text, "utf8");
        if (pos >= bytes.length) return;
        bytes[pos] = ((bytes[pos] as number) + delta) % 256;
        const edited = bytes.toString("utf8");
        if (edited === text) return;
        const v = verifyAuditText(edited);
        expect(v.ok).toBe(false);
        // the line holding the byte (a removed newline merges it with the next: still that line)
        const line = Buffer.from(text, "utf8").subarray(0, pos).toString("utf8").split("\n").length;
        expect(v.bad?.line).toBe(line);
      }),
      { numRuns: 300 },
    );
  });

  it("a deleted line, a swapped pair and a forged insertion are named", () => {
    const { text } = logOf(6);
    const lines = splitLog(text).lines;
    for (let k = 0; k < 5; k++) {
      const del = lines.filter((_, i) => i !== k);
      const v = verifyAuditText(`${del.join("\n")}\n`);
      expect(v.ok).toBe(false);
      expect(v.bad).toMatchObject({ line: k + 1 });
      const sw = [...lines];
      [sw[k], sw[k + 1]] = [sw[k + 1] as string, sw[k] as string];
      const w = verifyAuditText(`${sw.join("\n")}\n`);
      expect(w.bad).toMatchObject({ line: k + 1, problem: "broken-link" });
    }
    // a well-formed, correctly sealed entry inserted in the middle still breaks the chain
    const first = JSON.parse(lines[0] as string);
    const forged = seal({ ...first, id: "forged", payload: { evil: true } });
    const ins = [lines[0], lines[1], JSON.stringify(forged), ...lines.slice(2)];
    expect(verifyAuditText(`${ins.join("\n")}\n`).bad).toMatchObject({ line: 3 });
  });

  it("deleting the last lines is invisible to the chain alone but caught by the anchored head", () => {
    const { text } = logOf(4);
    const v = verifyAuditText(text);
    const head = v.head as { seq: number; hash: string };
    const cut = `${splitLog(text).lines.slice(0, 3).join("\n")}\n`;
    expect(verifyAuditText(cut).ok).toBe(true);
    expect(verifyAuditText(cut, head).bad).toMatchObject({ problem: "truncated" });
    expect(verifyAuditText(text, head).ok).toBe(true);
    expect(verifyAuditText(text, { seq: 2, hash: "f".repeat(64) }).bad).toMatchObject({
      problem: "rewritten",
      line: 2,
    });
  });

  it("a torn last line is reported by verify; the next append moves it aside and records it", () => {
    const { root } = logOf(3);
    appendFileSync(auditPath(root), '{"id":"half-writ');
    const v = verifyAuditText(readFileSync(auditPath(root), "utf8"));
    expect(v.bad).toMatchObject({ problem: "torn-tail", line: 4 });
    const e = appendAudit(root, { type: "plan", priority: "P3", payload: {} });
    expect(e.seq).toBe(5);
    const after = verifyAuditText(readFileSync(auditPath(root), "utf8"));
    expect(after.ok).toBe(true);
    const torn = after.entries[3];
    expect(torn).toMatchObject({ type: "audit.torn-tail", priority: "P1", payload: { bytes: 16 } });
    const saved = String(torn?.payload.saved_as);
    expect(readFileSync(join(root, ".plumb", "audit", saved), "utf8")).toBe('{"id":"half-writ');
  });

  it("refuses to append after a last line that was edited (tampering is not repaired)", () => {
    const { root, text } = logOf(2);
    writeFileSync(auditPath(root), text.replace('"i":1', '"i":7'));
    expect(() => appendAudit(root, { type: "plan", priority: "P3", payload: {} })).toThrow(
      expect.objectContaining({ code: "PLB940" }),
    );
  });

  it("takes over a lock file left by a killed process", () => {
    const { root } = logOf(1);
    writeFileSync(
      join(root, ".plumb", "audit", "audit.lock"),
      JSON.stringify({ pid: 2 ** 22 + 7, start: "1", host: hostname(), nonce: "x" }),
    );
    expect(appendAudit(root, { type: "plan", priority: "P3", payload: {} }).seq).toBe(2);
  });

  it("reads the tail of a large log correctly (entries bigger than the first read)", () => {
    const root = fresh();
    const big = "x".repeat(20_000);
    appendAudit(root, { type: "plan", priority: "P3", payload: { big } });
    appendAudit(root, { type: "plan", priority: "P3", payload: { big } });
    expect(appendAudit(root, { type: "plan", priority: "P3", payload: {} }).seq).toBe(3);
    expect(verifyAuditText(readFileSync(auditPath(root), "utf8")).ok).toBe(true);
  });
});
