// The plan as a pull-request comment: a hidden marker (so a bot can find and update its own
// comment and the apply job can check the digest), the summary first, then the changes in a
// ```diff block inside <details>, orphans and conflicts as a list. Capped below GitHub's
// 65,536 characters; when cut, it says so.
import { styler } from "../../core/output/output.js";
import { isActionable, refLabel } from "../../reconcilers/model.js";
import type { PlanDocument } from "../../reconcilers/plan/plan-document.js";
import {
  changeLines,
  renumberLines,
  reportText,
  settingsText,
  summaryText,
  unmanagedText,
} from "./plan-human.js";

const MAX_CHARS = 60_000;
const PLAIN = styler(false);

export function renderPlanMarkdown(plan: PlanDocument): string {
  const marker = JSON.stringify({
    v: 1,
    owner: plan.owner,
    head: plan.git.head,
    digest: plan.digest,
  });
  const s = plan.summary;
  const counts = `+${s.create} ~${s.update + s["update-restart"]} -/+${s.replace} -${s.delete}`;
  const out: string[] = [
    `<!-- plumb:plan ${marker} -->`,
    `### plumb plan for \`${plan.owner}\`: \`${counts}\``,
    "",
    `\`${settingsText(plan).replaceAll("`", "")}\``,
    "",
    `**${summaryText(s)}**`,
  ];
  const report = reportText(s);
  if (report) out.push("", `> [!WARNING]\n> ${report}`);
  const renumbers = renumberLines(plan);
  const unmanaged = unmanagedText(plan);
  if (unmanaged) out.push("", `> [!NOTE]\n> ${unmanaged}`);
  if (renumbers.length > 0) out.push("", `> [!CAUTION]\n> ${renumbers.join("\n> ")}`);
  const actionable = plan.changes.filter(isActionable);
  if (actionable.length > 0) {
    const body: string[] = [];
    for (const c of actionable) body.push(...changeLines(c, PLAIN).map(diffLine));
    let text = body.join("\n");
    let cut = "";
    if (text.length > MAX_CHARS) {
      text = text.slice(0, text.lastIndexOf("\n", MAX_CHARS));
      cut = `\n\n> [!NOTE]\n> Output truncated at ${MAX_CHARS} characters; run \`plumb plan\` for the whole plan.`;
    }
    out.push(
      "",
      `<details><summary>Changes (${actionable.length})</summary>`,
      "",
      "```diff",
      text,
      "```",
      "</details>",
      cut,
    );
  }
  const reported = plan.changes.filter((c) => !isActionable(c));
  if (reported.length > 0) {
    out.push("", "| | object | why |", "|---|---|---|");
    for (const c of reported) {
      const why = "reason" in c ? c.reason.replace(/\|/g, "\\|") : "";
      out.push(`| ${c.action} | ${c.ref.kind} \`${refLabel(c.ref)}\` | ${why} |`);
    }
  }
  out.push(
    "",
    `<sub>target \`${plan.target}\` · head \`${plan.git.head?.slice(0, 12) ?? "none"}\` · digest \`${plan.digest.slice(0, 19)}\`</sub>`,
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
