// What reviewers see cannot be forged (issue 9 item 10): plans of arbitrary keys, names, values
// and reasons (newlines, backticks, HTML, @mentions, pipes, C0/C1 controls, bidi overrides) are
// rendered; a markdown parser (marked's lexer) must see every change inside the one diff block,
// no HTML but plumb's own, no mention, one table row per reported object; the terminal output
// holds no control byte but plumb's own colour sequences.
import fc from "fast-check";
import { lexer, type Token, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import { termSafe } from "../../cli/render/plan-escape.js";
import { renderPlanHuman } from "../../cli/render/plan-human.js";
import { renderPlanMarkdown } from "../../cli/render/plan-markdown.js";
import { NO_GIT } from "../../core/io/git.js";
import { styler } from "../../core/output/output.js";
import type { Change } from "../../reconcilers/model.js";
import { type PlanDocument, sealPlan } from "../../reconcilers/plan/plan-document.js";

/** C0, DEL, C1, line separators and bidi controls: none may come from the data. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the bytes under test
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** plumb's own colour sequences. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: plumb's own escape sequences
const SGR = /\u001b\[[0-9;]*m/g;

const HOSTILE = [
  "\n",
  "\r\n",
  "```",
  "~~~",
  "`",
  "<!--",
  "-->",
  "<details>",
  "</details>",
  "<img src=x onerror=alert(1)>",
  "@admin",
  "|",
  "\u001b[2J",
  "\u009b31m",
  "\u0085",
  "\u202e",
  "\u2028",
  "\u0000",
  "\t",
  "# ",
  "> ",
  "- ",
  "[x](http://e.invalid)",
  "\\",
];
const hostile = fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: "binary" })), {
  maxLength: 6,
});
const text = hostile.map((parts) => parts.join(""));
const key = fc
  .tuple(fc.constantFrom("user.", "limits.", "", "environment."), text)
  .map(([a, b]) => a + b);
const value = fc.oneof(text, fc.dictionary(text, text, { maxKeys: 2 }), fc.integer());

const ref = (name: string) => ({ kind: "instance" as const, project: "web", name });

const change = fc.oneof(
  fc
    .record({
      name: text,
      fields: fc.array(fc.tuple(key, value, value), { minLength: 1, maxLength: 3 }),
    })
    .map(
      ({ name, fields }) =>
        ({
          id: `instance:web/${name}`,
          ref: ref(name),
          deps: [],
          action: "update",
          desired: { description: "", type: "container", profiles: [], config: {}, devices: {} },
          fields: fields.map(([k, before, after]) => ({ path: `config.${k}`, before, after })),
          drift: false,
        }) as Change,
    ),
  fc
    .record({
      name: text,
      config: fc.dictionary(key, text, { maxKeys: 3 }),
      devices: fc.dictionary(text, fc.dictionary(text, text, { maxKeys: 2 }), { maxKeys: 2 }),
      description: text,
    })
    .map(
      ({ name, config, devices, description }) =>
        ({
          id: `instance:web/${name}`,
          ref: ref(name),
          deps: [],
          action: "create",
          desired: { description, type: "container", profiles: [name], config, devices },
        }) as Change,
    ),
  fc
    .record({ name: text, reason: text, action: fc.constantFrom("delete", "orphan", "conflict") })
    .map(
      ({ name, reason, action }) =>
        ({ id: `instance:web/${name}`, ref: ref(name), deps: [], action, reason }) as Change,
    ),
);

function planOf(changes: Change[], owner: string): PlanDocument {
  return sealPlan({
    createdAt: "2026-01-01T00:00:00.000Z",
    tool: { name: "plumb", version: "0.0.0" },
    owner,
    target: "unix:/x",
    git: NO_GIT,
    limit: null,
    projects: [],
    settings: { bridgeAddresses: "none", storagePool: "default", imageMap: {}, autoCleanup: false },
    host: { vmSupported: false, serverVersion: "6.0.4" },
    observed: [],
    changes,
    risk: {
      items: changes.map((c) => ({
        id: c.id,
        risks: ["host-access" as const],
        hostAccess: [{ path: `devices.${c.ref.name}`, why: c.ref.name }],
      })),
    },
  });
}

/** Every token, depth first (block and inline). */
function walk(tokens: readonly Token[], out: Token[] = []): Token[] {
  for (const t of tokens) {
    out.push(t);
    const inner = (t as { tokens?: Token[] }).tokens;
    if (inner) walk(inner, out);
    if (t.type === "table") {
      const table = t as Tokens.Table;
      for (const cell of [...table.header, ...table.rows.flat()]) walk(cell.tokens, out);
    }
    if (t.type === "list") for (const item of (t as Tokens.List).items) walk(item.tokens, out);
  }
  return out;
}

const OWN_HTML = [
  /^<!-- plumb:plan \{[^\n]*\} -->\n*$/,
  /^<details><summary>Changes \(\d+\)<\/summary>\n*$/,
  /^<\/details>\n*$/,
  /^<sub>$/,
  /^<\/sub>$/,
];

describe("plan output cannot be forged by repository data", () => {
  it("markdown: every change inside the one diff block, no foreign HTML, mention or table break", () => {
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 5 }), text, (changes, owner) => {
        const plan = planOf(changes, owner);
        const md = renderPlanMarkdown(plan, {
          required: 1,
          have: 0,
          reasons: [{ risk: "host-access", needs: 1 }],
        });
        const tokens = walk(lexer(md));
        const code = tokens.filter((t): t is Tokens.Code => t.type === "code");
        const actionable = changes.filter((c) => c.action !== "orphan" && c.action !== "conflict");
        expect(code).toHaveLength(actionable.length > 0 ? 1 : 0);
        if (code[0]) {
          expect(code[0].lang).toBe("diff");
          // The block holds exactly the rendered change lines: each change's head is there.
          for (const c of actionable)
            expect(code[0].text).toContain(termSafe(`instance web/${c.ref.name}`));
        }
        for (const t of tokens.filter((t) => t.type === "html"))
          expect(
            OWN_HTML.some((re) => re.test(t.raw)),
            t.raw,
          ).toBe(true);
        const marker = tokens.find((t) => t.type === "html");
        expect(marker?.raw.indexOf("-->")).toBe((marker?.raw.trimEnd().length ?? 0) - 3);
        for (const t of tokens.filter((t) => t.type === "text" && !("tokens" in t && t.tokens)))
          expect(t.raw).not.toMatch(/(^|[^\\])@\w/);
        for (const t of tokens.filter((t) => t.type === "link" || t.type === "image"))
          expect(t).toBeUndefined();
        const reported = changes.length - actionable.length;
        const table = tokens.find((t): t is Tokens.Table => t.type === "table");
        expect(table?.rows.length ?? 0).toBe(reported);
        for (const row of table?.rows ?? []) expect(row).toHaveLength(3);
      }),
      {
        numRuns: 300,
        // Found by a CI run: a backslash right before a pipe turned the pipe's escape into a
        // cell break, and `<details>` became HTML.
        examples: [
          [
            [
              {
                id: "instance:web/",
                ref: ref(""),
                deps: [],
                action: "conflict",
                reason: "<details>\\|",
              } as Change,
            ],
            "",
          ],
        ],
      },
    );
  });

  it("terminal: no control byte from the data (only plumb's own colour sequences)", () => {
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 5 }), text, (changes, owner) => {
        const lines = renderPlanHuman(planOf(changes, owner), styler(true));
        for (const line of lines) {
          const stripped = line.replace(SGR, "");
          expect(stripped).not.toMatch(CONTROL);
        }
      }),
      { numRuns: 300 },
    );
  });
});
