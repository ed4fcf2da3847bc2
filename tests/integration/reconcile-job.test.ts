// The reconcile job (scripts/reconcile.mjs) against the real Incus: a temporary git repository
// with a small estate; the job is killed with SIGKILL (its whole process group, like a crashed
// machine) at random moments and resumed with --resume until it converges. The audit chain
// verifies after every run (a killed run may leave only a torn last line, which the next append
// repairs); `audit verify` fails after a one-byte edit, a deleted line or a swapped pair; the
// webhook receives a Flux-like event.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { auditPath } from "../../core/audit/append.js";
import { splitLog, verifyAuditText } from "../../core/audit/verify.js";
import {
  BASE,
  cleanupPrefix,
  driver,
  incus,
  plumb,
  REPO,
  SANDBOX_ENV,
  skip,
  tempRepo,
  uniquePrefix,
  why,
} from "./reconcile-kit.js";

const JOB = join(REPO, "scripts", "reconcile.mjs");
const prefix = uniquePrefix();
const estate = `${prefix}-job`;
let dir = "";

function git(...args: string[]) {
  const r = spawnSync("git", args, { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

interface JobRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Kills the job while `step` runs (plus a random moment into it), or after `ms`. */
type Kill = { step: string } | { ms: number };

function stepRunning(step: string): boolean {
  try {
    const id = readdirRun();
    if (!id) return false;
    const s = JSON.parse(readFileSync(join(dir, ".plumb", "runs", id, "reconcile.json"), "utf8"));
    return s.steps[step]?.status === "running";
  } catch {
    return false;
  }
}

function job(args: string[], kill?: Kill): Promise<JobRun> {
  const child = spawn(process.execPath, [JOB, ...args], {
    cwd: dir,
    env: {
      ...process.env,
      ...SANDBOX_ENV,
      PLUMB_LOCK_TIMEOUT: "120",
      PLUMB_ACTOR: "reconcile-test",
    },
    stdio: ["ignore", "ignore", "pipe"],
    detached: true, // its own process group: kill -9 takes plumb apply down with it
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const killNow = () => {
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {
      // already finished
    }
  };
  let poll: NodeJS.Timeout | undefined;
  if (kill && "ms" in kill) setTimeout(killNow, kill.ms);
  if (kill && "step" in kill)
    poll = setInterval(() => {
      if (!stepRunning(kill.step)) return;
      clearInterval(poll);
      setTimeout(killNow, Math.floor(Math.random() * 3000));
    }, 100);
  return new Promise((resolve) =>
    child.on("close", (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, stderr });
    }),
  );
}

function chainOk(): void {
  let text = "";
  try {
    text = readFileSync(auditPath(dir), "utf8");
  } catch {
    return; // killed before the first entry
  }
  const v = verifyAuditText(text);
  if (!v.ok) expect(v.bad?.problem, JSON.stringify(v.bad)).toBe("torn-tail");
}

describe.skipIf(skip)(`reconcile job on the real Incus${why}`, () => {
  const events: unknown[] = [];
  const hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      events.push(JSON.parse(body));
      res.writeHead(202).end();
    });
  });

  afterAll(async () => {
    hook.close();
    if (dir) await plumb(["flush", "--force"], dir);
    const d = driver();
    await cleanupPrefix(d, prefix);
    incus("project", "unset", "default", `user.plumb.audit_head.${estate}`);
  }, 300_000);

  it("killed at random steps, --resume converges; the audit chain verifies after every run", async () => {
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    const webhook = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/events`;
    dir = tempRepo({
      "infra/base.yml": `${BASE(estate)}domains:\n  ${prefix}:\n    trust_level: semi-trusted\n    machines:\n      ${prefix}-a: {}\n      ${prefix}-b: {}\n`,
      ".gitignore": ".plumb/\n",
    });
    git("init", "-q", "-b", "main");
    git("config", "user.email", "t@example.test");
    git("config", "user.name", "t");
    const gen = await plumb(["generate"], dir);
    expect(gen.code, gen.stderr).toBe(0);
    git("add", "-A");
    git("commit", "-q", "-m", "estate");

    // First run: killed early, then resumed, killing again a couple of times at random moments.
    // Kill points: a random moment, then inside the apply step (lock, snapshots, changes), then a
    // random later step; each resumed run may itself be killed.
    const steps = ["replan", "report"]; // still ahead after the apply kill
    const kills: Kill[] = [
      { ms: 1500 + Math.floor(Math.random() * 4000) },
      { step: "apply" },
      { step: steps[Math.floor(Math.random() * steps.length)] as string },
    ];
    const first = await job(["--unreviewed", "--webhook", webhook], kills[0]);
    let runId = /reconcile run (\S+):/.exec(first.stderr)?.[1] ?? readdirRun();
    if (first.code !== null || runId !== undefined) chainOk();
    let last: JobRun = first;
    for (let attempt = 0; attempt < 8 && last.code !== 0; attempt++) {
      const kill = kills[attempt + 1];
      // killed before it recorded anything: start over
      last = await job(runId ? ["--resume", runId] : ["--unreviewed", "--webhook", webhook], kill);
      runId ??= /reconcile run (\S+):/.exec(last.stderr)?.[1] ?? readdirRun();
      if (runId) chainOk();
    }
    if (runId === undefined) throw new Error("no reconcile run was recorded");
    expect(last.code, last.stderr).toBe(0);
    const state = JSON.parse(
      readFileSync(join(dir, ".plumb", "runs", runId, "reconcile.json"), "utf8"),
    );
    for (const s of [
      "checkout",
      "validate",
      "generate-check",
      "plan",
      "apply",
      "replan",
      "report",
      "notify",
    ])
      expect(state.steps[s].status, s).toBe("done");
    expect(state.steps["compare-reviewed"].status).toBe("skipped");
    // converged: the plan is empty, the containers exist
    expect((await plumb(["plan", "--detailed-exitcode"], dir)).code).toBe(0);
    const list = incus("list", "--project", prefix, "--format", "csv", "-c", "n");
    expect(list.stdout.trim().split("\n").sort()).toEqual([`${prefix}-a`, `${prefix}-b`]);
    // the webhook heard of the success
    expect(events.at(-1)).toMatchObject({
      involvedObject: { kind: "Estate", name: estate },
      severity: "info",
      reason: "ReconciliationSucceeded",
      metadata: { run: runId, revision: git("rev-parse", "HEAD") },
    });
    // the chain is whole and anchored; the job's steps are in it
    const v = verifyAuditText(readFileSync(auditPath(dir), "utf8"));
    expect(v.ok).toBe(true);
    expect(v.entries.some((e) => e.type === "reconcile.step" && e.payload.step === "notify")).toBe(
      true,
    );
    expect((await plumb(["audit", "verify"], dir)).code).toBe(0);
    expect(readFileSync(join(dir, ".plumb", "metrics", "plumb.prom"), "utf8")).toMatch(
      /plumb_last_run_success\{job="reconcile"/,
    );

    // a second run has nothing to do and still verifies
    const again = await job(["--unreviewed"]);
    expect(again.code, again.stderr).toBe(0);
    chainOk();
  }, 900_000);

  it("audit verify fails after any one-byte edit, deleted line or swapped pair of lines", async () => {
    const good = readFileSync(auditPath(dir), "utf8");
    const lines = splitLog(good).lines;
    expect(lines.length).toBeGreaterThan(10);
    const bytes = Buffer.from(good);
    const pos = Math.floor(Math.random() * (bytes.length - 1));
    bytes[pos] = ((bytes[pos] as number) ^ 0x01) & 0xff;
    const k = 1 + Math.floor(Math.random() * (lines.length - 3));
    const swapped = [...lines];
    [swapped[k], swapped[k + 1]] = [swapped[k + 1] as string, swapped[k] as string];
    const cases: [string, string][] = [
      ["one-byte edit", bytes.toString("utf8")],
      ["deleted line", `${lines.filter((_, i) => i !== k).join("\n")}\n`],
      ["deleted last line", `${lines.slice(0, -1).join("\n")}\n`],
      ["swapped pair", `${swapped.join("\n")}\n`],
    ];
    try {
      for (const [what, text] of cases) {
        writeFileSync(auditPath(dir), text);
        const r = await plumb(["audit", "verify"], dir);
        expect(r.code, what).toBe(1);
        expect(r.stderr, what).toMatch(/PLB94[02]/);
      }
    } finally {
      writeFileSync(auditPath(dir), good);
    }
    expect((await plumb(["audit", "verify"], dir)).code).toBe(0);
  }, 120_000);
});

function readdirRun(): string | undefined {
  const out = spawnSync("ls", [join(dir, ".plumb", "runs")], { encoding: "utf8" }).stdout ?? "";
  return out.split("\n").find((l) => /-r[0-9a-f]{6}$/.test(l));
}
