// Issue 11 item 5: a local user who can write .plumb/audit/ removes an embarrassing entry (a
// refusal, a freeze override) and re-seals every later entry so that the hash chain is whole
// again. The chain alone cannot see it; the head anchored in Incus can: verify fails (PLB942), and
// the anchor refuses to move onto the rewritten log. Also: a forged log that only appends after
// the anchor keeps verifying (by design) — but cannot drop anything before it.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anchorAudit, readAnchor } from "../../core/audit/anchor.js";
import { appendAudit, auditPath } from "../../core/audit/append.js";
import { type AuditEntry, GENESIS, seal } from "../../core/audit/envelope.js";
import { splitLog, verifyAuditText } from "../../core/audit/verify.js";
import { connectIncus } from "../../reconcilers/drivers/incus/connect.js";
import type { IncusApiDriver } from "../../reconcilers/drivers/incus/incus-api-driver.js";
import { FakeIncusServer } from "../../reconcilers/drivers/incus/testing/fake-incus-server.js";

/** What the attacker does: drop entry `k` (1-based) and re-seal everything after it. */
function rewriteWithout(text: string, k: number): string {
  const kept = splitLog(text)
    .lines.map((l) => JSON.parse(l) as AuditEntry)
    .filter((e) => e.seq !== k);
  let prev = GENESIS;
  const out = kept.map((e, i) => {
    const { hash: _h, ...rest } = e;
    const sealed = seal({ ...rest, seq: i + 1, prev });
    prev = sealed.hash;
    return JSON.stringify(sealed);
  });
  return `${out.join("\n")}\n`;
}

describe("audit log rewritten by someone with write access to .plumb/", () => {
  let fake: FakeIncusServer;
  let d: IncusApiDriver;
  beforeAll(async () => {
    fake = await FakeIncusServer.start();
    d = connectIncus({ kind: "unix", socketPath: fake.socketPath });
  });
  afterAll(async () => {
    d.close();
    await fake.close();
  });

  it("the re-sealed chain verifies alone, but not against the anchored head; the anchor does not move", async () => {
    const root = mkdtempSync(join(tmpdir(), "plumb-sec-audit-"));
    appendAudit(root, { type: "plan", priority: "P3", payload: { n: 1 } });
    appendAudit(root, {
      type: "freeze.override",
      priority: "P0",
      payload: { reason: "friday deploy" },
    });
    appendAudit(root, { type: "apply.start", priority: "P2", payload: { n: 3 } });
    appendAudit(root, { type: "apply.end", priority: "P2", payload: { n: 4 } });
    const anchored = await anchorAudit(d, root, "sec-estate");
    expect(anchored?.seq).toBe(4);

    const forged = rewriteWithout(readFileSync(auditPath(root), "utf8"), 2);
    writeFileSync(auditPath(root), forged);
    expect(verifyAuditText(forged).ok).toBe(true); // the chain alone is fooled
    expect(forged).not.toContain("friday deploy");

    const head = await readAnchor(d, "sec-estate");
    const v = verifyAuditText(forged, head);
    expect(v.ok).toBe(false);
    expect(v.bad?.problem).toBe("truncated"); // the anchored entry 4 no longer exists
    await expect(anchorAudit(d, root, "sec-estate")).rejects.toMatchObject({ code: "PLB942" });
    expect((await readAnchor(d, "sec-estate"))?.seq).toBe(4);

    // padding the forged log back to 4 entries does not help: entry 4 is not the anchored one
    appendAudit(root, { type: "plan", priority: "P3", payload: { filler: true } });
    const padded = verifyAuditText(readFileSync(auditPath(root), "utf8"), head);
    expect(padded.bad?.problem).toBe("rewritten");
  });
});
