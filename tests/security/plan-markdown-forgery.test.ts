// Attack (issue 9 item 10): a machine config key `"user.a\n```\n<!--"` validated, and in
// `plan --format markdown` (the PR comment) it closed the diff fence and opened an HTML comment,
// hiding the rest of the plan — a delete further down included — from reviewers; keys reached the
// terminal raw. Now the key does not validate (PLB910), and even a plan file carrying it renders
// with every change inside the diff block and no control byte in the terminal view.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lexer, type Token, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import { renderPlanHuman } from "../../cli/render/plan-human.js";
import { renderPlanMarkdown } from "../../cli/render/plan-markdown.js";
import { NO_GIT } from "../../core/io/git.js";
import { styler } from "../../core/output/output.js";
import type { Change } from "../../reconcilers/model.js";
import { sealPlan } from "../../reconcilers/plan/plan-document.js";
import { PLUMB } from "../kit/plan-repo.js";

/** C0, DEL, C1, line separators and bidi controls: none may come from the data. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the bytes under test
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const EVIL = "user.a\n```\n<!--";
const ESC = "user.\u001b]0;pwned\u0007\u001b[2J";

describe("a config key that forges the PR comment", () => {
  it("does not validate: plumb validate and plumb plan refuse it at the key (PLB910)", () => {
    const dir = mkdtempSync(join(tmpdir(), "plumb-forge-"));
    writeFileSync(
      join(dir, "infra.yml"),
      `project_name: t\nglobal:\n  addressing: {base_octet: 10}\ndomains:\n  web:\n    machines:\n      w1: {config: {${JSON.stringify(EVIL)}: "x"}}\n`,
    );
    for (const args of [["validate"], ["plan", "--format", "markdown"]]) {
      const r = spawnSync(process.execPath, [PLUMB, ...args], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1", INCUS_SOCKET: join(dir, "none.sock") },
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("error[PLB910]");
      expect(r.stderr).toContain("infra.yml:7:21");
      expect(r.stdout).not.toContain("```diff");
    }
  });

  it("in a plan file, it cannot hide a later delete from the markdown reader or reach the terminal", () => {
    const ref = (name: string) => ({ kind: "instance" as const, project: "web", name });
    const changes = [
      {
        id: "instance:web/w1",
        ref: ref("w1"),
        deps: [],
        action: "update",
        desired: { description: "", type: "container", profiles: [], config: {}, devices: {} },
        fields: [
          { path: `config.${EVIL}`, after: "x" },
          { path: `config.${ESC}`, after: "y" },
        ],
        drift: false,
      },
      { id: "instance:web/db", ref: ref("db"), deps: [], action: "delete", reason: "orphan" },
    ] as Change[];
    const plan = sealPlan({
      createdAt: "2026-01-01T00:00:00.000Z",
      tool: { name: "plumb", version: "0" },
      owner: "t",
      target: "unix:/x",
      git: NO_GIT,
      limit: null,
      projects: [],
      settings: {
        bridgeAddresses: "none",
        storagePool: "default",
        imageMap: {},
        autoCleanup: true,
      },
      host: { vmSupported: false, serverVersion: "" },
      observed: [],
      changes,
      risk: { items: [] },
    });

    const tokens = lexer(renderPlanMarkdown(plan));
    const code = tokens.filter((t: Token): t is Tokens.Code => t.type === "code");
    expect(code).toHaveLength(1);
    expect(code[0]?.text).toContain("- instance web/db will be deleted");
    expect(tokens.filter((t) => t.type === "html").map((t) => t.raw.slice(0, 16))).toEqual([
      "<!-- plumb:plan ",
      "<details><summar",
      "</details>",
    ]);
    for (const line of renderPlanHuman(plan, styler(false))) {
      expect(line).not.toMatch(CONTROL);
    }
  });
});
