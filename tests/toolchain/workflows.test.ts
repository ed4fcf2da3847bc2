// The workflows never ran on GitHub, so this reads them: every `.github/workflows/*.yml` parses;
// each `plumb` (node dist/cli/main.js) step names a command of the command table with options it
// has; scripts/, .ci/ files, npm scripts and npx tools exist (the reconcile job's flags too);
// actions are pinned to a full commit SHA or an exact tag; every job declares least-privilege
// `permissions:` (nothing at the top level, write scopes only where a step needs them). The
// checker is also run against broken samples, so it is known to catch what it claims to.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { findCommand, GLOBAL_OPTIONS } from "../../cli/commands.js";

const ROOT = join(import.meta.dirname, "..", "..");
const DIR = join(ROOT, ".github", "workflows");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
};

/** The reconcile job's flags, read from its minimist configuration. */
function reconcileFlags(): Set<string> {
  // The job's options are declared in its command-line module.
  const text = readFileSync(join(ROOT, "scripts", "reconcile-args.mjs"), "utf8");
  const list = (key: string) =>
    [...(new RegExp(`${key}: \\[([^\\]]*)\\]`).exec(text)?.[1] ?? "").matchAll(/"([a-z-]+)"/g)].map(
      (m) => m[1] as string,
    );
  return new Set([...list("string"), ...list("boolean"), "help"]);
}

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly permissions?: Record<string, string> | string;
  readonly steps?: readonly Step[];
  readonly needs?: string | readonly string[];
}
interface Workflow {
  readonly permissions?: Record<string, string> | string;
  readonly jobs: Record<string, Job>;
}

const PLUMB = /node\s+dist\/cli\/main\.js((?:[ \t]+[^\s;|&>)]+)*)/g;
const SHELL_END = /^(?:;|\||&&|\|\||>|2>|\))/;

/** Problems of one workflow, as `job: what` lines (empty: fine). */
function checkWorkflow(wf: Workflow, name: string): string[] {
  const problems: string[] = [];
  const top = wf.permissions;
  if (top === undefined) problems.push(`${name}: no top-level permissions (default is broad)`);
  else if (typeof top === "string" || Object.values(top).some((v) => v !== "read"))
    problems.push(`${name}: top-level permissions grant more than read`);
  for (const [jobName, job] of Object.entries(wf.jobs ?? {})) {
    const at = `${name}/${jobName}`;
    for (const n of [job.needs ?? []].flat())
      if (!(n in wf.jobs)) problems.push(`${at}: needs unknown job '${n}'`);
    const runs = (job.steps ?? []).map((s) => (s.run ?? "").replace(/\\\n\s*/g, " ")).join("\n");
    // permissions: declared per job, write only where a step needs it
    const perms = job.permissions;
    if (perms === undefined || typeof perms === "string")
      problems.push(`${at}: no per-job permissions mapping`);
    else {
      const comments = /\bpr comment\b|scripts\/reconcile\.mjs/.test(runs);
      const runsApi = /\bgh run\b/.test(runs);
      for (const [scope, level] of Object.entries(perms)) {
        const ok =
          (scope === "contents" && level === "read") ||
          ((scope === "pull-requests" || scope === "issues") && comments) ||
          (scope === "actions" && level === "read" && runsApi);
        if (!ok) problems.push(`${at}: permission ${scope}: ${level} is not needed by its steps`);
      }
      if (comments && perms["pull-requests"] !== "write")
        problems.push(`${at}: comments on a PR without pull-requests: write`);
      if (runsApi && perms.actions !== "read")
        problems.push(`${at}: uses gh run without actions: read`);
    }
    for (const step of job.steps ?? []) {
      if (step.uses !== undefined && !step.uses.startsWith("./")) {
        const ref = step.uses.split("@")[1] ?? "";
        if (!/^[0-9a-f]{40}$/.test(ref) && !/^v\d+\.\d+\.\d+$/.test(ref))
          problems.push(`${at}: ${step.uses} is not pinned to a commit SHA or exact tag`);
      }
      const nodeFile = step.with?.["node-version-file"];
      if (typeof nodeFile === "string" && !existsSync(join(ROOT, nodeFile)))
        problems.push(`${at}: node-version-file ${nodeFile} does not exist`);
    }
    for (const m of runs.matchAll(PLUMB)) {
      const tokens = (m[1] ?? "").trim().split(/\s+/).filter(Boolean);
      const cut = tokens.findIndex((t) => SHELL_END.test(t));
      const args = cut < 0 ? tokens : tokens.slice(0, cut);
      let i = 0;
      while (args[i]?.startsWith("--")) {
        const g = GLOBAL_OPTIONS[(args[i] as string).slice(2)];
        i += g?.type === "string" ? 2 : 1;
      }
      const spec = findCommand(args[i] ?? "");
      if (!spec) {
        problems.push(`${at}: plumb has no command '${args[i] ?? ""}'`);
        continue;
      }
      for (const t of args.slice(i + 1).filter((x) => x.startsWith("--"))) {
        const opt = t.slice(2).split("=")[0] as string;
        if (!(opt in (spec.options ?? {})) && !(opt in GLOBAL_OPTIONS))
          problems.push(`${at}: plumb ${spec.name} has no option --${opt}`);
      }
    }
    for (const m of runs.matchAll(/(?:node|bash|sh)\s+((?:scripts|\.ci)\/[^\s;|&"')]+)/g))
      if (!existsSync(join(ROOT, m[1] as string))) problems.push(`${at}: ${m[1]} does not exist`);
    for (const m of runs.matchAll(/npm run ([\w:-]+)/g))
      if (!((m[1] as string) in pkg.scripts)) problems.push(`${at}: no npm script '${m[1]}'`);
    for (const m of runs.matchAll(/npx ([\w@/.-]+)/g))
      if (!existsSync(join(ROOT, "node_modules", ".bin", m[1] as string)))
        problems.push(`${at}: npx ${m[1]} is not a tool of this repository`);
    if (runs.includes("scripts/reconcile.mjs")) {
      const flags = reconcileFlags();
      for (const m of runs.matchAll(/args\+?=\(([^)]*)\)/g))
        for (const f of (m[1] ?? "").matchAll(/--([a-z-]+)/g))
          if (!flags.has(f[1] as string))
            problems.push(`${at}: scripts/reconcile.mjs has no option --${f[1]}`);
    }
  }
  return problems;
}

const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

describe("GitHub workflows", () => {
  it("there are the four workflows of docs/gitops.md", () => {
    expect(files.sort()).toEqual(["ci.yml", "drift.yml", "pr.yml", "reconcile.yml"]);
  });

  for (const f of files) {
    it(`${f}: commands exist, actions pinned, permissions least-privilege`, () => {
      const wf = parse(readFileSync(join(DIR, f), "utf8")) as Workflow;
      expect(Object.keys(wf.jobs ?? {}).length).toBeGreaterThan(0);
      expect(checkWorkflow(wf, f)).toEqual([]);
    });
  }

  it("each plumb step is seen (the checker is not vacuous on the real files)", () => {
    const all = files.map((f) => readFileSync(join(DIR, f), "utf8")).join("\n");
    const subs = [...all.matchAll(PLUMB)].map((m) => (m[1] ?? "").trim().split(/\s+/)[0]);
    expect(new Set(subs)).toEqual(
      new Set(["validate", "generate", "freeze", "plan", "pr", "drift", "audit"]),
    );
  });

  it("the checker catches what it claims to (broken samples)", () => {
    const bad = parse(`
permissions: write-all
jobs:
  a:
    needs: nope
    permissions: {contents: write, id-token: write}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@main
        with: {node-version-file: .nvmrc-missing}
      - run: node dist/cli/main.js plna --out x
      - run: node dist/cli/main.js plan --detailed-exit-code --out plan.json > plan.md
      - run: npm run nonexistent && npx not-a-tool
      - run: node scripts/missing.mjs && bash .ci/nothing
  b:
    steps:
      - run: node dist/cli/main.js pr comment plan.json
  c:
    permissions: {contents: read}
    steps:
      - run: |
          args=(--ref x --no-such-flag)
          node scripts/reconcile.mjs "\${args[@]}"
      - run: gh run list
`) as Workflow;
    const p = checkWorkflow(bad, "bad.yml").join("\n");
    for (const want of [
      "top-level permissions grant more than read",
      "a: needs unknown job 'nope'",
      "permission contents: write",
      "permission id-token: write",
      "actions/checkout@v4 is not pinned",
      "actions/setup-node@main is not pinned",
      "node-version-file .nvmrc-missing",
      "plumb has no command 'plna'",
      "plumb plan has no option --detailed-exit-code",
      "no npm script 'nonexistent'",
      "npx not-a-tool",
      "scripts/missing.mjs does not exist",
      ".ci/nothing does not exist",
      "b: no per-job permissions",
      "c: comments on a PR without pull-requests: write",
      "c: uses gh run without actions: read",
      "scripts/reconcile.mjs has no option --no-such-flag",
    ])
      expect(p).toContain(want);
  });
});
