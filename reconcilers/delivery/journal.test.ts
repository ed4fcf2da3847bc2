import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  appendJournal,
  journalMachines,
  journalPath,
  latestPerContract,
  readJournal,
} from "./journal.js";

const rec = (contract: string, status: "PENDING" | "SUCCESS", ts = "2026-01-01T00:00:00Z") => ({
  ts,
  run: "r",
  machine: "web-1",
  contract,
  hash: "sha256:x",
  status,
});

describe("run journal", () => {
  it("appends lines, reads them back, the latest per contract wins", () => {
    const root = mkdtempSync(join(tmpdir(), "plumb-journal-"));
    appendJournal(root, rec("motd", "PENDING"));
    appendJournal(root, rec("pkg", "PENDING"));
    appendJournal(root, rec("motd", "SUCCESS"));
    expect(readJournal(root, "web-1")).toHaveLength(3);
    expect(
      latestPerContract(readJournal(root, "web-1")).map((r) => `${r.contract}:${r.status}`),
    ).toEqual(["motd:SUCCESS", "pkg:PENDING"]);
    expect(journalMachines(root)).toEqual(["web-1"]);
    expect(readJournal(root, "nobody")).toEqual([]);
  });

  it("skips a torn last line (a killed run), refuses a bad line elsewhere with PLB784", () => {
    const root = mkdtempSync(join(tmpdir(), "plumb-journal-"));
    appendJournal(root, rec("motd", "PENDING"));
    appendFileSync(journalPath(root, "web-1"), '{"ts":"2026-01-01T0');
    expect(readJournal(root, "web-1")).toHaveLength(1);
    appendFileSync(journalPath(root, "web-1"), "\n");
    appendJournal(root, rec("motd", "SUCCESS"));
    expect(() => readJournal(root, "web-1")).toThrowError(
      expect.objectContaining({ code: "PLB784" }),
    );
  });

  it("refuses a machine name that could leave the journal directory", () => {
    expect(() => journalPath("/r", "../etc/passwd")).toThrowError(
      expect.objectContaining({ code: "PLB784" }),
    );
    expect(() => journalPath("/r", ".hidden")).toThrowError(
      expect.objectContaining({ code: "PLB784" }),
    );
  });
});
