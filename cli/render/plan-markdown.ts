// The plan as a pull-request comment: a hidden marker (so a bot can find and update its own
// comment and the apply job can check the digest), the summary first, then the changes in a
// ```diff block inside <details>, orphans and conflicts as a list. Capped below GitHub's
// 65,536 characters; when cut, it says so. Repository data appears only inside the fenced block
// (a fence longer than any backtick run in it) or inline code spans (plan-escape.ts): no HTML,
// mention, fence or table break can come from a key, name or value.
import { styler } from "../../core/output/output.js";
import { isActionable, refLabel } from "../../reconcilers/model.js";
import type { PlanDocument } from "../../reconcilers/plan/plan-document.js";
import { contractMarkdown } from "./plan-contracts.js";
import { commentJson, fenceFor, mdCode } from "./plan-escape.js";
import { fileLine, filesText } from "./plan-files.js";
import {
  changeLines,
  renumberLines,
  reportText,
  riskById,
  settingsText,
  summaryText,
  unmanagedText,
} from "./plan-human.js";

/** What the approvals policy asks of this plan, when the caller knows (plan reads policies.yml). */
export interface MarkdownApprovals {
  readonly required: number;
  readonly have: number;
  readonly reasons: readonly { readonly risk: string; readonly needs: number }[];
}

const MAX_CHARS = 60_000;
const PLAIN = styler(false);

export function renderPlanMarkdown(plan: PlanDocument, approvals?: MarkdownApprovals): string {
  const marker = commentJson({
    v: 1,
    owner: plan.owner,
    head: plan.git.head,
    digest: plan.digest,
  });
  const s = plan.summary;
  const counts = `+${s.create} ~${s.update + s["update-restart"]} -/+${s.replace} -${s.delete}`;
  const out: string[] = [
    `<!-- plumb:plan ${marker} -->`,
    `### plumb plan for ${mdCode(plan.owner)}: \`${counts}\``,
    "",
    mdCode(settingsText(plan)),
    "",
    `**${summaryText(s)}**`,
  ];
  const risks = riskById(plan);
  const host = [...risks.values()].filter((r) => r.risks.includes("host-access"));
  if (host.length > 0) {
    out.push(
      "",
      "> [!CAUTION]",
      `> **HOST ACCESS**: ${host.length} change(s) let an instance reach the host: ${host.map((r) => mdCode(r.id)).join(", ")}`,
    );
  }
  if (approvals && approvals.required > 0) {
    const why = approvals.reasons.map((r) => `${r.risk} ${r.needs}`).join(", ");
    out.push(
      "",
      `**Approvals:** ${approvals.have} of ${approvals.required} required (${why})${approvals.have < approvals.required ? ` — ${approvals.required - approvals.have} more needed: \`plumb approve plan.json\`` : ""}`,
    );
  }
  const report = reportText(s);
  if (report) out.push("", `> [!WARNING]\n> ${report}`);
  const renumbers = renumberLines(plan);
  const unmanaged = unmanagedText(plan);
  if (unmanaged) out.push("", `> [!NOTE]\n> ${mdCode(unmanaged)}`);
  if (renumbers.length > 0)
    out.push("", `> [!CAUTION]\n> ${renumbers.map((r) => mdCode(r)).join("\n> ")}`);
  const actionable = plan.changes.filter(isActionable);
  if (actionable.length > 0) {
    const body: string[] = [];
    for (const c of actionable) body.push(...changeLines(c, PLAIN, risks.get(c.id)).map(diffLine));
    let text = body.join("\n");
    let cut = "";
    if (text.length > MAX_CHARS) {
      text = text.slice(0, text.lastIndexOf("\n", MAX_CHARS));
      cut = `\n\n> [!NOTE]\n> Output truncated at ${MAX_CHARS} characters; run \`plumb plan\` for the whole plan.`;
    }
    const fence = fenceFor(text);
    out.push(
      "",
      `<details><summary>Changes (${actionable.length})</summary>`,
      "",
      `${fence}diff`,
      text,
      fence,
      "</details>",
      cut,
    );
  }
  const files = plan.files ?? [];
  if (files.length > 0) {
    const text = files.map((f) => diffLine(fileLine(f, PLAIN))).join("\n");
    const fence = fenceFor(text);
    out.push(
      "",
      `<details><summary>Generated files (${files.length})</summary>`,
      "",
      `${fence}diff`,
      text,
      fence,
      "</details>",
      "",
      `**${filesText(plan)}**`,
    );
  }
  out.push(...contractMarkdown(plan));
  const reported = plan.changes.filter((c) => !isActionable(c));
  if (reported.length > 0) {
    out.push("", "| | object | why |", "|---|---|---|");
    for (const c of reported) {
      const why = "reason" in c ? mdCode(c.reason) : "";
      out.push(`| ${mdCode(c.action)} | ${mdCode(`${c.ref.kind} ${refLabel(c.ref)}`)} | ${why} |`);
    }
  }
  out.push(
    "",
    `<sub>target ${mdCode(plan.target)} · head ${mdCode(plan.git.head?.slice(0, 12) ?? "none")}${plan.git.clean ? "" : " **+ uncommitted changes**"} · digest ${mdCode(plan.digest.slice(0, 19))}</sub>`,
  );
  return `${out.join("\n")}\n`;
}

/** diff fences colour lines by their first character: `+` green, `-` red, `!` orange. */
function diffLine(line: string): string {
  const t = line.trimStart();
  const pad = " ".repeat(Math.max(0, line.length - t.length - 2));
  if (t.startsWith("-/+")) return `! ${pad}${t}`;
  for (const [sym, mark] of [
    ["+", "+"],
    ["-", "-"],
    ["~", "!"],
  ] as const) {
    if (t.startsWith(sym)) return `${mark} ${pad}${t.slice(1).trimStart()}`;
  }
  return `  ${pad}${t}`;
}
