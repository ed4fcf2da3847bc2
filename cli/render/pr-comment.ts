// The sticky PR comment for a plan: a hidden marker, the summary line first (create / update /
// replace / delete, restarts, snapshots to take, approvals still needed), a <details> block per
// domain with the changes in a diff fence, a Mermaid picture, then the plan's identity. Secrets
// are masked before anything is rendered; the result is split into ordered parts that each fit a
// GitHub comment.

import { bridgesOf, planMermaid } from "../../core/github/mermaid.js";
import { redact } from "../../core/github/redact.js";
import { GITHUB_COMMENT_LIMIT, splitMarkdown } from "../../core/github/split.js";
import { styler } from "../../core/output/output.js";
import type { Change } from "../../reconcilers/model.js";
import { isActionable } from "../../reconcilers/model.js";
import type { PlanDocument } from "../../reconcilers/plan/plan-document.js";
import { snapshotTargets } from "../../reconcilers/snapshots/pre-apply.js";
import { changeLines, summaryText } from "./plan-human.js";

export const MARKER_PREFIX = "<!-- plumb:pr-comment";

export interface ApprovalStatus {
  /** How many more distinct approvals the plan needs (0: enough). */
  readonly missing: number;
  /** Why, e.g. `2 deletes need 2 approvers`. */
  readonly reasons: readonly string[];
}

export interface AppliedStatus {
  readonly run: string;
  readonly ok: boolean;
  readonly done: number;
  readonly failed: number;
  readonly remaining: number | null;
}

export interface CommentInput {
  readonly plan: PlanDocument;
  readonly approvals?: ApprovalStatus;
  readonly applied?: AppliedStatus;
}

export function marker(owner: string, part: number, digest: string): string {
  return `${MARKER_PREFIX} estate=${owner} part=${part} digest=${digest} -->`;
}

export function parseMarker(
  body: string,
): { estate: string; part: number; digest: string } | undefined {
  const m = /^<!-- plumb:pr-comment estate=([A-Za-z0-9_.-]+) part=(\d+) digest=(\S+) -->/.exec(
    body,
  );
  return m ? { estate: m[1] as string, part: Number(m[2]), digest: m[3] as string } : undefined;
}

function domainOf(c: Change, bridges: Map<string, string>): string {
  if (c.ref.kind === "project") return c.ref.name;
  if (c.ref.kind === "network")
    return [...bridges].find(([, b]) => b === c.ref.name)?.[0] ?? "(shared networks)";
  return c.ref.project;
}

const escapeHtml = (t: string) => t.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);

/** diff fences colour lines by their first character: `+` green, `-` red, `!` orange. */
function diffLine(line: string): string {
  const t = line.trimStart();
  const pad = " ".repeat(Math.max(0, line.length - t.length - 2));
  if (t.startsWith("-/+")) return `! ${pad}${t}`;
  if (t.startsWith("+")) return `+ ${pad}${t.slice(1).trimStart()}`;
  if (t.startsWith("-")) return `- ${pad}${t.slice(1).trimStart()}`;
  if (t.startsWith("~") || t.startsWith("!")) return `! ${pad}${t.slice(1).trimStart()}`;
  return `  ${pad}${t}`;
}

/** A fence longer than any backtick run in the text, so no value can close it early. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  return "`".repeat(Math.max(3, longest + 1));
}

export function summaryLine(input: CommentInput): string {
  const s = input.plan.summary;
  const actionable = input.plan.changes.filter(isActionable);
  const restarts = s["update-restart"];
  const snaps = snapshotTargets(actionable).length;
  const parts = [
    `${s.create} to create`,
    `${s.update + s["update-restart"]} to update`,
    `${s.replace} to replace`,
    `${s.delete} to delete`,
    `${restarts} restart${restarts === 1 ? "" : "s"}`,
    `${snaps} snapshot${snaps === 1 ? "" : "s"} to take`,
  ];
  if (input.approvals)
    parts.push(
      input.approvals.missing > 0
        ? `**${input.approvals.missing} approval${input.approvals.missing === 1 ? "" : "s"} still needed**`
        : "approvals complete",
    );
  else parts.push("approvals not evaluated");
  return parts.join(" · ");
}

export function commentBody(input: CommentInput): string {
  const plan = redact(input.plan) as PlanDocument;
  const out: string[] = [
    `### plumb plan for \`${plan.owner}\``,
    "",
    `**${summaryLine({ ...input, plan })}**`,
  ];
  if (input.applied) {
    const a = input.applied;
    out.push(
      "",
      `${a.ok ? "✅" : "❌"} **Applied** by reconcile run \`${a.run}\`: ${a.done} done, ${a.failed} failed` +
        (a.remaining === null
          ? ""
          : a.remaining === 0
            ? "; re-plan: no changes left"
            : `; re-plan: ${a.remaining} change(s) left`),
    );
  }
  if (input.approvals?.reasons.length)
    out.push("", ...input.approvals.reasons.map((r) => `- ${r.replace(/[<>`]/g, "")}`));
  const actionable = plan.changes.filter(isActionable);
  if (actionable.length === 0) out.push("", summaryText(plan.summary));
  const bridges = bridgesOf(plan.changes);
  const byDomain = new Map<string, Change[]>();
  for (const c of plan.changes) {
    const d = domainOf(c, bridges);
    byDomain.set(d, [...(byDomain.get(d) ?? []), c]);
  }
  const plain = styler(false);
  for (const [domain, changes] of [...byDomain].sort(([a], [b]) => a.localeCompare(b))) {
    const lines = changes.flatMap((c) => changeLines(c, plain).map(diffLine));
    const text = lines.join("\n");
    const fence = fenceFor(text);
    const n = changes.filter(isActionable).length;
    const reported = changes.length - n;
    out.push(
      "",
      `<details><summary>Domain <code>${escapeHtml(domain)}</code>: ${n} change${n === 1 ? "" : "s"}${reported ? `, ${reported} reported` : ""}</summary>`,
      "",
      `${fence}diff`,
      text,
      fence,
      "",
      "</details>",
    );
  }
  const picture = planMermaid(plan.changes);
  if (picture) out.push("", "```mermaid", picture, "```");
  out.push(
    "",
    `<sub>target \`${plan.target}\` · head \`${plan.git.head?.slice(0, 12) ?? "none"}\` · digest \`${plan.digest}\`</sub>`,
  );
  return out.join("\n");
}

/** The comment's parts, in order, each under GitHub's limit and starting with its marker. */
export function commentParts(input: CommentInput, limit = GITHUB_COMMENT_LIMIT): string[] {
  const { owner, digest } = input.plan;
  return splitMarkdown(
    commentBody(input),
    (n) =>
      n <= 1
        ? marker(owner, 1, digest)
        : `${marker(owner, n, digest)}\n_plumb plan for \`${owner}\`, part ${n}_\n`,
    limit,
  );
}
