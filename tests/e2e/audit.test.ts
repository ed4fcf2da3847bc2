// End-to-end audit trail (built CLI and built module as child processes): concurrent writers keep
// one chain, kill -9 at random moments never leaves a log that verifies wrongly, and the head
// anchored in (fake) Incus catches a truncated log.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditPath } from "../../core/audit/append.js";
import { splitLog, verifyAuditText } from "../../core/audit/verify.js";
import { FakeIncusServer } from "../../reconcilers/drivers/incus/testing/fake-incus-server.js";

const DIST = join(import.meta.dirname, "..", "..", "dist");
const PLUMB = join(DIST, "cli", "main.js");
const WRITER = `
const { appendAudit } = await import(${JSON.stringify(join(DIST, "core", "audit", "append.js"))});
const [root, n, tag] = process.argv.slice(1);
for (let i = 0; i < Number(n); i++)
  appendAudit(root, { type: "apply.step", priority: "P2", payload: { tag, i, pad: "x".repeat(i * 37 % 3000) } });
`;

function writer(root: string, n: number, tag: string) {
  return spawn(process.execPath, ["--input-type=module", "-e", WRITER, root, String(n), tag], {
    stdio: "ignore",
  });
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function lineCount(root: string): number {
  try {
    return readFileSync(auditPath(root), "utf8").split("\n").length;
  } catch {
    return 0;
  }
}
const exited = (p: ReturnType<typeof spawn>) =>
  new Promise<number | null>((r) => p.on("exit", (code) => r(code)));

describe("audit trail (built CLI)", () => {
  let fake: FakeIncusServer;
  beforeAll(async () => {
    fake = await FakeIncusServer.start();
  });
  afterAll(async () => {
    await fake.close();
  });

  const plumb = (cwd: string, args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [PLUMB, ...args],
        { cwd, env: { ...process.env, NO_COLOR: "1", INCUS_SOCKET: fake.socketPath } },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it("three processes appending at once leave one unbroken chain with every entry", async () => {
    const root = mkdtempSync(join(tmpdir(), "plumb-audit-conc-"));
    const codes = await Promise.all(["a", "b", "c"].map((t) => exited(writer(root, 60, t))));
    expect(codes).toEqual([0, 0, 0]);
    const v = verifyAuditText(readFileSync(auditPath(root), "utf8"));
    expect(v.ok).toBe(true);
    expect(v.entries).toHaveLength(180);
    for (const t of ["a", "b", "c"])
      expect(v.entries.filter((e) => e.payload.tag === t).map((e) => e.payload.i)).toEqual(
        Array.from({ length: 60 }, (_, i) => i),
      );
  }, 120_000);

  it("kill -9 at random moments: the log verifies (or shows a torn tail) and the next append repairs it", async () => {
    const root = mkdtempSync(join(tmpdir(), "plumb-audit-kill-"));
    for (let round = 0; round < 8; round++) {
      const p = writer(root, 1000, `r${round}`);
      const p2 = writer(root, 1000, `s${round}`);
      // kill once both are writing (node needs a while to start on a loaded machine)
      const start = lineCount(root);
      for (let t = 0; t < 300 && lineCount(root) < start + 20; t++) await sleep(20);
      await sleep(Math.floor(Math.random() * 200));
      p.kill("SIGKILL");
      p2.kill("SIGKILL");
      await Promise.all([exited(p), exited(p2)]);
      const v = verifyAuditText(readFileSync(auditPath(root), "utf8"));
      if (!v.ok) expect(v.bad?.problem).toBe("torn-tail");
    }
    const r = await plumb(root, ["--root", root, "audit", "verify", "--offline"]);
    const after = await exited(writer(root, 1, "final"));
    expect(after).toBe(0);
    const v = verifyAuditText(readFileSync(auditPath(root), "utf8"));
    expect(v.ok).toBe(true);
    expect(v.entries.at(-1)?.payload.tag).toBe("final");
    expect([0, 1]).toContain(r.code);
  }, 120_000);

  it("verify exits 1 naming the entry after a one-byte edit, a deleted line, a swapped pair", async () => {
    const root = mkdtempSync(join(tmpdir(), "plumb-audit-cli-"));
    expect(await exited(writer(root, 5, "t"))).toBe(0);
    const good = readFileSync(auditPath(root), "utf8");
    const lines = splitLog(good).lines;
    const cases: [string, string][] = [
      ["edit", good.replace('"i":2', '"i":3')],
      ["delete", `${lines.filter((_, i) => i !== 2).join("\n")}\n`],
      ["swap", `${[lines[0], lines[2], lines[1], lines[3], lines[4]].join("\n")}\n`],
    ];
    for (const [what, text] of cases) {
      writeFileSync(auditPath(root), text);
      const r = await plumb(root, ["--root", root, "audit", "verify", "--offline", "--json"]);
      expect(r.code, what).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out.ok).toBe(false);
      expect(out.bad.line, what).toBe(what === "edit" ? 3 : 2 + (what === "delete" ? 1 : 0));
    }
    writeFileSync(auditPath(root), good);
    const shown = await plumb(root, ["--root", root, "audit", "show", "--type", "apply", "--json"]);
    expect(JSON.parse(shown.stdout).entries).toHaveLength(5);
    const none = await plumb(root, ["--root", root, "audit", "show", "--type", "plan", "--json"]);
    expect(JSON.parse(none.stdout).entries).toHaveLength(0);
  }, 60_000);

  it("the head anchored in Incus catches a log whose last entries were deleted", async () => {
    const root = mkdtempSync(join(tmpdir(), "plumb-audit-anchor-"));
    expect(await exited(writer(root, 4, "t"))).toBe(0);
    const args = ["--root", root, "--estate", "e2e-audit"];
    const a = await plumb(root, ["audit", "anchor", ...args]);
    expect(a.code, a.stderr).toBe(0);
    expect((await plumb(root, ["audit", "verify", ...args])).code).toBe(0);
    const lines = splitLog(readFileSync(auditPath(root), "utf8")).lines;
    writeFileSync(auditPath(root), `${lines.slice(0, 3).join("\n")}\n`);
    const offline = await plumb(root, ["audit", "verify", "--offline", ...args]);
    expect(offline.code).toBe(0); // the chain alone cannot tell
    const r = await plumb(root, ["audit", "verify", ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("PLB942");
    // and the anchor never moves back onto the shortened log
    const again = await plumb(root, ["audit", "anchor", ...args]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("PLB942");
  }, 60_000);
});
