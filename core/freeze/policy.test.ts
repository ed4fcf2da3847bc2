// Change freeze: cron windows, fixed windows, positions of policy mistakes, the guard's refusal,
// an override without enough approvals refused and audited, one with them allowed and audited P0.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { auditPath } from "../audit/append.js";
import { auditFailure } from "../audit/hooks.js";
import { verifyAuditText } from "../audit/verify.js";
import { cronMatches, lastStart, parseCron } from "./cron.js";
import { assertNotFrozen } from "./guard.js";
import { activeFreezes, parseFreezePolicy, stricterFreezePolicy } from "./policy.js";

const POLICY = `network_policies: []
change_freeze:
  override_approvals: 2
  windows:
    - reason: year-end freeze
      from: "2026-12-20T00:00:00Z"
      until: "2027-01-04T00:00:00Z"
    - reason: weekend
      cron: "0 18 * * 5"
      duration: 62h
`;

describe("cron", () => {
  it("parses ranges, lists and steps; rejects bad fields", () => {
    const c = parseCron("*/15 9-17 * * 1-5");
    expect([...c.minute]).toEqual([0, 15, 30, 45]);
    expect(cronMatches(c, new Date("2026-03-02T09:30:00Z"))).toBe(true); // a Monday
    expect(cronMatches(c, new Date("2026-03-01T09:30:00Z"))).toBe(false); // a Sunday
    expect(() => parseCron("61 * * * *")).toThrow(/minute/);
    expect(() => parseCron("* * *")).toThrow(/5/);
  });

  it("lastStart finds the latest matching minute within the lookback (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 3000 }),
        (h, m, after) => {
          const c = parseCron(`${m} ${h} * * *`);
          const t = new Date(Date.UTC(2026, 5, 10, h, m) + after * 60_000);
          const s = lastStart(c, t, 86_400_000);
          expect(s).toBeDefined();
          expect(s?.getUTCHours()).toBe(h);
          expect(s?.getUTCMinutes()).toBe(m);
          expect(t.getTime() - (s as Date).getTime()).toBeLessThan(86_400_000);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe("freeze policy", () => {
  it("fixed and cron windows are active exactly when they should be", () => {
    const p = parseFreezePolicy(POLICY);
    expect(activeFreezes(p, new Date("2026-12-24T12:00:00Z")).map((a) => a.reason)).toEqual([
      "year-end freeze",
    ]);
    // the year-end window has ended; 2027-01-04 00:00 is still inside the weekend window (Fri 18:00 + 62h)
    expect(activeFreezes(p, new Date("2027-01-04T00:00:00Z")).map((a) => a.reason)).toEqual([
      "weekend",
    ]);
    expect(activeFreezes(p, new Date("2027-01-04T08:00:00Z"))).toEqual([]);
    // Friday 2026-03-06 18:00 UTC + 62h = Monday 08:00
    expect(activeFreezes(p, new Date("2026-03-06T17:59:00Z"))).toEqual([]);
    expect(activeFreezes(p, new Date("2026-03-08T10:00:00Z"))[0]).toMatchObject({
      reason: "weekend",
      from: "2026-03-06T18:00:00.000Z",
      until: "2026-03-09T08:00:00.000Z",
    });
    expect(activeFreezes(p, new Date("2026-03-09T08:00:00Z"))).toEqual([]);
  });

  it("reports mistakes at file:line:column", () => {
    const bad = (text: string) => {
      try {
        parseFreezePolicy(text, "infra/policies.yml");
      } catch (e) {
        return e as { code: string; message: string };
      }
      throw new Error("accepted");
    };
    expect(
      bad(
        "change_freeze:\n  windows:\n    - reason: x\n      cron: '99 * * * *'\n      duration: 1h\n",
      ),
    ).toMatchObject({
      code: "PLB951",
      message: expect.stringMatching(/^infra\/policies\.yml:4:13: minute/),
    });
    expect(
      bad(
        "change_freeze:\n  windows:\n    - reason: x\n      from: 2026-01-01\n      until: '2026-01-02T00:00:00Z'\n",
      ).message,
    ).toMatch(/:4:13: from/);
    expect(
      bad(
        "change_freeze:\n  windows:\n    - from: '2026-01-01T00:00:00Z'\n      until: '2026-01-02T00:00:00Z'\n",
      ).message,
    ).toMatch(/needs a reason/);
    expect(bad("change_freeze:\n  windowz: []\n").message).toMatch(
      /:2:3: unknown key change_freeze.windowz/,
    );
  });
});

describe("assertNotFrozen", () => {
  const repo = () => {
    const root = mkdtempSync(join(tmpdir(), "plumb-freeze-"));
    mkdirSync(join(root, "infra"));
    writeFileSync(join(root, "infra", "policies.yml"), POLICY);
    return root;
  };
  const inFreeze = new Date("2026-12-24T12:00:00Z");

  it("outside a window: goes ahead; inside: PLB950 naming the reason and the end", () => {
    const root = repo();
    expect(assertNotFrozen(root, "plumb apply", new Date("2026-12-01T00:00:00Z")).frozen).toBe(
      false,
    );
    expect(() => assertNotFrozen(root, "plumb apply", inFreeze)).toThrow(
      expect.objectContaining({
        code: "PLB950",
        message: expect.stringContaining("year-end freeze"),
      }),
    );
  });

  it("an override needs the approvals threshold: refused (audited P1) with one, allowed (audited P0) with two", () => {
    const root = repo();
    const o = { reason: "CVE hotfix", digest: "sha256:abc" };
    expect(() =>
      assertNotFrozen(root, "plumb apply", inFreeze, { ...o, approvers: ["k1", "k1"] }),
    ).toThrow(expect.objectContaining({ code: "PLB952" }));
    const v = assertNotFrozen(root, "plumb apply", inFreeze, { ...o, approvers: ["k1", "k2"] });
    expect(v).toMatchObject({ frozen: true, overridden: true });
    const log = verifyAuditText(readFileSync(auditPath(root), "utf8"));
    expect(log.ok).toBe(true);
    expect(log.entries.map((e) => [e.type, e.priority])).toEqual([
      ["refusal", "P1"],
      ["freeze.override", "P0"],
    ]);
    expect(log.entries[1]?.payload).toMatchObject({
      reason: "CVE hotfix",
      approvers: ["k1", "k2"],
    });
  });

  it("a refused override is recorded once, even when the command's error handler sees it too", () => {
    const root = repo();
    const o = { reason: "CVE hotfix", digest: "sha256:abc", approvers: ["k1"] };
    let caught: unknown;
    try {
      assertNotFrozen(root, "plumb apply", inFreeze, o);
    } catch (e) {
      caught = auditFailure(root, "plumb apply", e); // what apply's catch block does
    }
    expect(caught).toMatchObject({ code: "PLB952" });
    const log = verifyAuditText(readFileSync(auditPath(root), "utf8"));
    expect(log.entries.filter((e) => e.type === "refusal").map((e) => e.payload.code)).toEqual([
      "PLB952",
    ]);
    // A PLB950 (no override asked) is not recorded by the guard: the handler records it once.
    try {
      assertNotFrozen(root, "plumb apply", inFreeze);
    } catch (e) {
      auditFailure(root, "plumb apply", e);
    }
    const after = verifyAuditText(readFileSync(auditPath(root), "utf8"));
    expect(after.entries.filter((e) => e.type === "refusal").map((e) => e.payload.code)).toEqual([
      "PLB952",
      "PLB950",
    ]);
  });
});

describe("stricterFreezePolicy", () => {
  it("every window of either side (a shared window once), the larger override threshold", () => {
    const base = parseFreezePolicy(POLICY);
    const pr = parseFreezePolicy(
      'change_freeze:\n  override_approvals: 1\n  windows:\n    - reason: weekend\n      cron: "0 18 * * 5"\n      duration: 62h\n',
    );
    const s = stricterFreezePolicy(pr, base);
    expect(s.overrideApprovals).toBe(2);
    expect(s.windows.map((w) => w.reason).sort()).toEqual(["weekend", "year-end freeze"]);
    // A PR that removes the year-end window is still frozen by the base's.
    expect(activeFreezes(s, new Date("2026-12-24T12:00:00Z")).map((a) => a.reason)).toEqual([
      "year-end freeze",
    ]);
  });
});
