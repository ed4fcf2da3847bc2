// The PR comment layout: summary first, a <details> per domain, Mermaid, secrets masked; parts
// under GitHub's limit that each open and close every fence and <details> they use.

import fc from "fast-check";
import { marked } from "marked";
import { describe, expect, it } from "vitest";
import { splitMarkdown } from "../../core/github/split.js";
import { syntheticPlan } from "../../tests/kit/plans.js";
import { commentBody, commentParts, parseMarker, summaryLine } from "./pr-comment.js";

/** Every fence opened in a part is closed in it (CommonMark fences, as marked parses them). */
function balanced(part: string): boolean {
  let open: string | undefined;
  let depth = 0;
  for (const line of part.split("\n")) {
    const m = /^(`{3,}|~{3,})(.*)$/.exec(line);
    if (open !== undefined) {
      if (
        m &&
        m[2]?.trim() === "" &&
        (m[1] as string).length >= open.length &&
        m[1]?.[0] === open[0]
      )
        open = undefined;
      continue;
    }
    if (m) open = m[1];
    else if (line.startsWith("<details")) depth++;
    else if (line.startsWith("</details>") && --depth < 0) return false;
  }
  return open === undefined && depth === 0;
}

describe("PR comment layout", () => {
  it("starts with the marker and the summary line; a details block per domain; a mermaid picture", () => {
    const plan = syntheticPlan({ domains: 2, machines: 8 });
    const [part, ...rest] = commentParts({ plan });
    expect(rest).toEqual([]);
    const lines = (part as string).split("\n");
    expect(parseMarker(lines[0] as string)).toEqual({
      estate: "lab",
      part: 1,
      digest: plan.digest,
    });
    expect(lines[3]).toBe(`**${summaryLine({ plan })}**`);
    expect(summaryLine({ plan })).toMatch(
      /^\d+ to create · \d+ to update · 0 to replace · \d+ to delete · 2 restarts · \d+ snapshots to take · approvals not evaluated$/,
    );
    expect(part).toContain("<details><summary>Domain <code>dom0</code>");
    expect(part).toContain("<details><summary>Domain <code>dom1</code>");
    expect(part).toContain("```mermaid\nflowchart LR");
    expect(part).toContain('d_dom0["domain dom0"]:::create');
    expect(part).toContain("d_dom0 --> n_net_2ddom0");
    expect(balanced(part as string)).toBe(true);
    // the mermaid block parses as a fenced code block of language mermaid
    const tokens = marked.lexer(part as string);
    expect(tokens.some((t) => t.type === "code" && t.lang === "mermaid")).toBe(true);
  });

  it("says how many approvals are still needed", () => {
    const plan = syntheticPlan({ domains: 1, machines: 6 });
    expect(
      summaryLine({ plan, approvals: { missing: 2, reasons: ["deletes need 2 approvers"] } }),
    ).toContain("**2 approvals still needed**");
  });

  it("never shows secret values: keys naming a secret and values that look like one", () => {
    const plan = syntheticPlan({
      domains: 1,
      machines: 1,
      extraConfig: {
        "environment.DB_PASSWORD": "hunter2-very-secret",
        "cloud-init.user-data": "#cloud-config\npassword: s3cr3t",
        "user.note2": "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      },
    });
    const body = commentBody({ plan });
    for (const s of ["hunter2", "s3cr3t", "ghp_abcdef"]) expect(body).not.toContain(s);
    expect(body).toContain('environment.DB_PASSWORD = "(sensitive, sha256:');
  });

  it("a backtick run inside a value cannot close the diff fence", () => {
    const plan = syntheticPlan({
      domains: 1,
      machines: 1,
      extraConfig: { "user.x": "a\n```\n</details><img src=x>" },
    });
    const body = commentBody({ plan });
    const tokens = marked.lexer(body);
    expect(tokens.filter((t) => t.type === "html" && /<img/.test(t.raw))).toEqual([]);
  });

  it("a 200 KB plan splits into ordered parts, each under 65,536 characters, no broken fence", () => {
    const plan = syntheticPlan({ domains: 6, machines: 60, padding: 700 });
    const body = commentBody({ plan });
    expect(body.length).toBeGreaterThan(200_000);
    const parts = commentParts({ plan });
    expect(parts.length).toBeGreaterThanOrEqual(4);
    parts.forEach((p, i) => {
      expect(p.length).toBeLessThan(65_536);
      expect(parseMarker(p)?.part).toBe(i + 1);
      expect(balanced(p)).toBe(true);
    });
    // nothing lost: every change line is in some part, in order
    const all = parts.join("\n");
    let at = 0;
    for (let m = 0; m < 60; m++) {
      const i = all.indexOf(`instance dom5/dom5-m${m} `, at);
      expect(i).toBeGreaterThan(at - 1);
      at = i;
    }
  });

  it("splitMarkdown: any body of fences and details splits into balanced parts under the limit", () => {
    const line = fc.oneof(
      fc.constant("```diff"),
      fc.constant("```"),
      fc.constant("<details><summary>x</summary>"),
      fc.constant("</details>"),
      fc.string({ maxLength: 300 }).map((s) => s.replace(/[\n`<]/g, "")),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 400 }), (lines) => {
        // make the input itself balanced, as the layout always is
        const fixed: string[] = [];
        let inFence = false;
        let depth = 0;
        for (const l of lines) {
          if (l.startsWith("```")) {
            if (inFence && l !== "```") continue;
            inFence = !inFence;
          } else if (!inFence && l.startsWith("<details")) depth++;
          else if (!inFence && l === "</details>") {
            if (depth === 0) continue;
            depth--;
          }
          fixed.push(l);
        }
        if (inFence) fixed.push("```");
        while (depth-- > 0) fixed.push("</details>");
        const parts = splitMarkdown(fixed.join("\n"), (n) => `<!-- part ${n} -->`, 2_000);
        for (const p of parts) {
          expect(p.length).toBeLessThanOrEqual(2_000);
          expect(balanced(p)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
