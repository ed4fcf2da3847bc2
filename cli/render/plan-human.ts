// The plan for people, like `terraform plan`: one block per change with a symbol and colour,
// field-level differences, and one summary line. Typed tables over every action, so a new
// action does not compile until it has a symbol, a colour and a verb here. Every key, name and
// value from the plan passes termSafe/termValue before it is styled (plan-escape.ts).
import type { RiskItem } from "../../core/approvals/risk.js";
import { renumberText } from "../../core/model/addressing-lock.js";
import type { Styler } from "../../core/output/output.js";
import { IMAGE_KEY, PLUMB_PREFIX } from "../../reconcilers/kit/ownership.js";
import type { ActionTable, Change, FieldChange } from "../../reconcilers/model.js";
import { refLabel } from "../../reconcilers/model.js";
import type { PlanDocument, PlanSummary } from "../../reconcilers/plan/plan-document.js";
import { contractSection } from "./plan-contracts.js";
import { termSafe, termValue } from "./plan-escape.js";
import { fileSection, filesText } from "./plan-files.js";

export const SYMBOL: ActionTable<string> = {
  create: "+",
  update: "~",
  "update-restart": "~",
  replace: "-/+",
  start: "↑",
  stop: "↓",
  delete: "-",
  orphan: "?",
  conflict: "!",
};

const COLOUR: ActionTable<keyof Styler> = {
  create: "green",
  update: "yellow",
  "update-restart": "yellow",
  replace: "red",
  start: "cyan",
  stop: "cyan",
  delete: "red",
  orphan: "dim",
  conflict: "red",
};

export const VERB: ActionTable<string> = {
  create: "will be created",
  update: "will be updated in place",
  "update-restart": "will be updated and restarted (needs --allow-restart)",
  replace: "must be replaced",
  start: "will be started",
  stop: "will be stopped",
  delete: "will be deleted",
  orphan: "is an orphan (reported, not deleted)",
  conflict: "conflicts with an object plumb does not own",
};

const q = termValue;
const t = termSafe;

/** `~ config.limits.memory: "1GiB" → "2GiB"`, `+ devices.eth0 = {…}`, `- config.x = "1"`. */
export function fieldLine(f: FieldChange, s: Styler): string {
  if (f.before === undefined) return `${s.green("+")} ${t(f.path)} = ${q(f.after)}`;
  if (f.after === undefined) return `${s.red("-")} ${t(f.path)} = ${q(f.before)}`;
  return `${s.yellow("~")} ${t(f.path)}: ${q(f.before)} → ${q(f.after)}`;
}

/** What a create sets, without plumb's own bookkeeping labels (but with the declared image). */
function createLines(c: Change & { action: "create" | "replace" }): string[] {
  const d = c.desired as unknown as Record<string, unknown>;
  const lines: string[] = [];
  if (typeof d.type === "string") lines.push(`type = ${q(d.type)}`);
  if (c.create) {
    const src = c.create.source as { alias?: string; server?: string };
    const to = src.server ? `${src.server} ${src.alias}` : src.alias;
    lines.push(
      `image = ${q(c.create.image)}${to && to !== c.create.image ? ` (from ${t(to)})` : ""}`,
    );
  }
  if (Array.isArray(d.profiles)) lines.push(`profiles = ${q(d.profiles)}`);
  if (typeof d.description === "string" && d.description !== "")
    lines.push(`description = ${q(d.description)}`);
  for (const [k, v] of Object.entries((d.features as Record<string, string>) ?? {}))
    lines.push(`${t(k)} = ${q(v)}`);
  for (const [k, v] of Object.entries((d.config as Record<string, string>) ?? {})) {
    if (!k.startsWith(PLUMB_PREFIX) || k === IMAGE_KEY) lines.push(`config.${t(k)} = ${q(v)}`);
  }
  for (const [k, v] of Object.entries((d.devices as Record<string, unknown>) ?? {}))
    lines.push(`devices.${t(k)} = ${q(v)}`);
  if (typeof d.status === "string") lines.push(`status = ${q(d.status)}`);
  return lines;
}

/** What needs approval about a change: host access first (it is what reviewers must not miss). */
function riskLines(r: RiskItem | undefined, s: Styler): string[] {
  if (!r) return [];
  const out = (r.hostAccess ?? []).map((h) => s.red(`! HOST ACCESS ${t(h.path)}: ${t(h.why)}`));
  if (r.risks.includes("delete-protected"))
    out.push(s.red("! delete-protected instance (security.protection.delete)"));
  return out;
}

/** The lines of one change (first line: symbol, kind, name, verb). */
export function changeLines(c: Change, s: Styler, risk?: RiskItem): string[] {
  const paint = s[COLOUR[c.action] ?? "red"];
  const head = `${paint((SYMBOL[c.action] ?? "?").padStart(3))} ${s.bold(t(`${c.ref.kind} ${refLabel(c.ref)}`))} ${s.dim(VERB[c.action] ?? t(String(c.action)))}`;
  const body: string[] = [...riskLines(risk, s)];
  switch (c.action) {
    case "create":
      body.push(...createLines(c).map((l) => `${s.green("+")} ${l}`));
      if (c.unsupported) body.push(s.yellow(`! not created on this host: ${t(c.unsupported)}`));
      break;
    case "update":
      if (c.drift) body.push(s.yellow("! changed outside plumb since the last apply (drift)"));
      body.push(...c.fields.map((f) => fieldLine(f, s)));
      break;
    case "update-restart":
      if (c.drift) body.push(s.yellow("! changed outside plumb since the last apply (drift)"));
      body.push(...c.fields.map((f) => fieldLine(f, s)));
      body.push(s.yellow(`! restart required by: ${t(c.restartFields.join(", "))}`));
      break;
    case "replace":
      body.push(
        s.red(
          `# forces replacement: ${t(c.reasons.join("; "))} (the instance and its snapshots are deleted)`,
        ),
      );
      body.push(...c.fields.map((f) => fieldLine(f, s)));
      if (c.unsupported) body.push(s.yellow(`! not replaced on this host: ${t(c.unsupported)}`));
      break;
    case "start":
    case "stop":
      break;
    case "delete":
    case "orphan":
    case "conflict":
      body.push(s.dim(t(c.reason)));
      break;
  }
  if (c.affects?.length) body.push(s.dim(`# reaches ${t(c.affects.join(", "))}`));
  for (const n of c.notes ?? []) body.push(s.dim(`# ${t(n)}`));
  return [head, ...body.map((l) => `      ${l}`)];
}

const n = (k: number, word: string) => `${k} ${word}`;

export function summaryText(sum: PlanSummary): string {
  const runs = sum.contracts ?? 0;
  const contracts = runs > 0 ? ` ${n(runs, `contract run${runs === 1 ? "" : "s"}`)}.` : "";
  if (sum.actionable === 0)
    return runs > 0
      ? `No Incus changes; ${n(runs, `contract run${runs === 1 ? "" : "s"}`)}.`
      : "No changes. Live Incus matches the declared estate.";
  const parts = [
    n(sum.create, "to create"),
    n(sum.update + sum["update-restart"], "to update") +
      (sum["update-restart"] ? ` (${sum["update-restart"]} need a restart)` : ""),
    n(sum.replace, "to replace"),
    n(sum.start + sum.stop, "to start/stop"),
    n(sum.delete, "to delete"),
  ];
  return `Plan: ${parts.join(", ")}.${contracts}`;
}

export function reportText(sum: PlanSummary): string | undefined {
  const parts: string[] = [];
  if (sum.orphan)
    parts.push(
      `${sum.orphan} orphan${sum.orphan === 1 ? "" : "s"} (auto_cleanup is off: reported only)`,
    );
  if (sum.conflict)
    parts.push(
      `${sum.conflict} conflict${sum.conflict === 1 ? "" : "s"} with objects plumb does not own (left untouched)`,
    );
  return parts.length ? parts.join("; ") : undefined;
}

/** The active site settings in one line (docs/reconcile.md "Site settings"). */
export function settingsText(plan: PlanDocument): string {
  const st = plan.settings;
  const map = Object.entries(st.imageMap ?? {})
    .map(([from, to]) => `${from}→${to}`)
    .join(", ");
  const from = st.sources?.length ? st.sources.join(", ") : "defaults";
  return `site: endpoint ${st.endpoint ?? plan.target}; image map ${map || "(none)"}; bridge addresses ${st.bridgeAddresses}; pool ${st.storagePool || "default"} (from ${from})`;
}

/** Instances in the estate's projects that plumb does not manage (never touched). */
export function unmanagedText(plan: PlanDocument): string | undefined {
  const u = plan.unmanaged ?? [];
  if (u.length === 0) return undefined;
  const names = u.map((id) => id.slice(id.indexOf(":") + 1));
  return `! ${u.length} instance${u.length === 1 ? "" : "s"} inside the estate's projects ${u.length === 1 ? "is" : "are"} not managed by plumb (left untouched): ${names.join(", ")}`;
}

/** Sticky addressing: every address that moves, and what apply needs to move it. */
export function renumberLines(plan: PlanDocument): string[] {
  return (plan.renumbers ?? []).map(
    (r) => `! renumber ${renumberText(r)} (apply refuses without --allow-renumber)`,
  );
}

export function renderPlanHuman(plan: PlanDocument, s: Styler): string[] {
  const lines: string[] = [];
  const scope = plan.limit ? ` --limit ${plan.limit.join(",")}` : "";
  const head = plan.git.head
    ? ` @ ${plan.git.head.slice(0, 12)}${plan.git.clean ? "" : " + uncommitted changes"}`
    : " (no commit)";
  lines.push(
    s.dim(
      t(
        `estate ${plan.owner} → ${plan.target}${scope}${head}; read ${plan.observed.length} objects`,
      ),
    ),
    s.dim(t(settingsText(plan))),
  );
  for (const r of renumberLines(plan)) lines.push(s.yellow(t(r)));
  const u = unmanagedText(plan);
  if (u) lines.push(s.yellow(t(u)));
  const risks = riskById(plan);
  if (plan.changes.length > 0) {
    lines.push("", "plumb will perform the following actions:", "");
    for (const c of plan.changes) lines.push(...changeLines(c, s, risks.get(c.id)), "");
  } else {
    lines.push("");
  }
  lines.push(...fileSection(plan, s));
  lines.push(...contractSection(plan, s));
  lines.push(s.bold(summaryText(plan.summary)));
  const files = filesText(plan);
  if (files) lines.push(s.yellow(files));
  const host = hostAccessCount(plan);
  if (host > 0) lines.push(s.red(`${host} change(s) give an instance HOST ACCESS (marked above).`));
  const report = reportText(plan.summary);
  if (report) lines.push(s.yellow(report));
  return lines;
}

export function riskById(plan: PlanDocument): Map<string, RiskItem> {
  return new Map((plan.risk?.items ?? []).map((r) => [r.id, r]));
}

export function hostAccessCount(plan: PlanDocument): number {
  return (plan.risk?.items ?? []).filter((r) => r.risks.includes("host-access")).length;
}
