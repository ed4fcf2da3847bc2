// The pre-apply records under .plumb/: retention prunes the per-run JSON records with the
// history (issue 10, item 5), keeping the latest.
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PreApplyState } from "./plumb-state.js";

const rec = (ts: string) => ({
  timestamp: ts,
  snapshot: `pre-apply-${ts}`,
  scope: "all",
  run: `run-${ts}`,
  instances: [{ project: "p", name: "i", ok: true }],
});

describe("PreApplyState retention", () => {
  it("writeHistory keeps the newest names and deletes the other records", async () => {
    const root = mkdtempSync(join(tmpdir(), "plumb-state-"));
    const state = new PreApplyState(root);
    for (const ts of ["20260101-000001", "20260101-000002", "20260101-000003", "20260101-000004"])
      await state.record(rec(ts));
    state.writeHistory(state.history().slice(-2));
    expect(state.history()).toEqual(["pre-apply-20260101-000003", "pre-apply-20260101-000004"]);
    const files = readdirSync(state.dir).filter((f) => f.endsWith(".json"));
    expect(files.sort()).toEqual(["20260101-000003.json", "20260101-000004.json"]);
    // The latest record survives even when retention keeps nothing.
    state.writeHistory([]);
    expect(existsSync(join(state.dir, "20260101-000004.json"))).toBe(true);
    expect(existsSync(join(state.dir, "20260101-000003.json"))).toBe(false);
    expect(state.latest()).toBe("20260101-000004");
  });
});
