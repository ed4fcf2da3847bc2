// What `plumb generate` prints: per-file lines, unified diffs, the orphan report, a summary,
// GitHub annotations and the versioned JSON result. Pure: plan in, text out.
import type { Diagnostic } from "../../core/diagnostics.js";
import type { Styler } from "../../core/output/output.js";
import type { Orphan } from "../../generators/ansible/orphans.js";
import {
  type ActionKind,
  countActions,
  type FileAction,
  formatLines,
  type WritePlan,
} from "../../generators/ansible/plan-writes.js";
import { unifiedDiff } from "../../generators/line-diff.js";
import { diagnosticJson, renderGithub } from "./diagnostics.js";

export type GenerateMode = "write" | "check" | "dry-run";

export interface ReportContext {
  readonly mode: GenerateMode;
  /** Relative path in the tree → path shown to the user (relative to the repo root if inside). */
  readonly show: (path: string) => string;
  readonly style: Styler;
}

/** Orphans as anklume reports them, with what --prune did or would do. */
export interface OrphanOutcome {
  readonly orphan: Orphan;
  readonly deleted: boolean;
}

const VERB: Readonly<Record<GenerateMode, Readonly<Record<ActionKind, string>>>> = {
  write: { create: "created", update: "updated", unchanged: "unchanged", conflict: "conflict" },
  check: {
    create: "missing",
    update: "stale",
    unchanged: "up to date",
    conflict: "conflict",
  },
  "dry-run": {
    create: "would create",
    update: "would update",
    unchanged: "unchanged",
    conflict: "conflict",
  },
};

/** Conflicts (bad markers, hand edits) as diagnostics located in the generated file. */
export function conflictDiagnostics(plan: WritePlan, show: (p: string) => string): Diagnostic[] {
  return plan.actions.flatMap((a) =>
    a.kind === "conflict"
      ? [
          {
            code: a.conflict.code,
            severity: "error" as const,
            message: a.conflict.message,
            hint: a.conflict.hint,
            location: {
              file: show(a.path),
              line: a.conflict.line,
              column: 1,
              length: Math.max(
                1,
                (a.before.split("\n")[a.conflict.line - 1] ?? "").trimEnd().length,
              ),
            },
          },
        ]
      : [],
  );
}

export function isDrift(plan: WritePlan): boolean {
  return plan.orphans.length > 0 || plan.actions.some((a) => a.kind !== "unchanged");
}

/** Per-file lines (changed files only) and, in check and dry-run modes, their diffs. */
export function fileLines(plan: WritePlan, ctx: ReportContext): string[] {
  const s = ctx.style;
  const out: string[] = [];
  const colour = { create: s.green, update: s.yellow, unchanged: s.dim, conflict: s.red };
  for (const a of plan.actions) {
    if (a.kind === "unchanged" || a.kind === "conflict") continue;
    const note =
      a.kind === "update" && a.adopted
        ? "  (adopted: managed section inserted, the rest of the file kept)"
        : a.kind === "update" && a.forced
          ? `  (hand edits at ${formatLines(a.forced.lines)} overwritten: --force)`
          : a.kind === "update" && a.unverified
            ? "  (section had no plumb hash: hand edits could not be checked)"
            : "";
    out.push(`${colour[a.kind](VERB[ctx.mode][a.kind].padEnd(12))} ${ctx.show(a.path)}${note}`);
    if (ctx.mode !== "write") out.push(diffOf(a, ctx));
  }
  return out;
}

export function diffOf(a: FileAction, ctx: ReportContext): string {
  if (a.kind !== "create" && a.kind !== "update") return "";
  const path = ctx.show(a.path);
  const text = unifiedDiff(a.kind === "create" ? undefined : a.before, a.after, {
    oldPath: path,
    newPath: path,
  });
  return colourDiff(text.trimEnd(), ctx.style);
}

function colourDiff(text: string, s: Styler): string {
  return text
    .split("\n")
    .map((l) =>
      l.startsWith("+++") || l.startsWith("---")
        ? s.bold(l)
        : l.startsWith("@@")
          ? s.cyan(l)
          : l.startsWith("+")
            ? s.green(l)
            : l.startsWith("-")
              ? s.red(l)
              : l,
    )
    .join("\n");
}

export function orphanLines(outcomes: readonly OrphanOutcome[], ctx: ReportContext): string[] {
  if (outcomes.length === 0) return [];
  const s = ctx.style;
  const out = ["", `Orphan files (${outcomes.length}):`];
  for (const { orphan, deleted } of outcomes) {
    const path = ctx.show(orphan.path);
    const custom = orphan.customText ? " (holds text outside the managed section)" : "";
    if (orphan.protected)
      out.push(
        `  ${s.yellow("PROTECTED")} (ephemeral=false): ${path} — manual removal required${custom}`,
      );
    else if (deleted) out.push(`  ${s.red("Deleted")}: ${path}${custom}`);
    else out.push(`  ${s.yellow("ORPHAN")}: ${path}${custom}`);
  }
  return out;
}

export function summaryText(
  plan: WritePlan,
  outcomes: readonly OrphanOutcome[],
  ctx: ReportContext,
): string {
  const c = countActions(plan);
  const deleted = outcomes.filter((o) => o.deleted).length;
  const s = ctx.style;
  const counts = `${c.create} created, ${c.update} updated, ${c.unchanged} unchanged, ${c.orphaned} orphaned${deleted ? ` (${deleted} deleted)` : ""}`;
  if (ctx.mode === "check") {
    if (!isDrift(plan)) return `${s.green("✔")} generated files are up to date (${counts})`;
    const prunable = plan.orphans.filter((o) => !o.protected).length;
    const byHand = c.orphaned - prunable;
    const fix = `run \`plumb generate${prunable > 0 ? " --prune" : ""}\`${byHand > 0 ? `, remove the ${byHand} protected orphan${byHand === 1 ? "" : "s"} by hand` : ""} and commit the result`;
    return `${s.red("✖")} generated files are out of date: ${c.create} missing, ${c.update} stale, ${c.orphaned} orphaned — ${fix}`;
  }
  if (ctx.mode === "dry-run") return `${s.cyan("dry run")}: nothing written (${counts})`;
  const written = c.create + c.update;
  return `${s.green("✔")} ${written} file${written === 1 ? "" : "s"} written (${counts})`;
}

/** `::error file=…` lines for --check --format github: one per stale file and per orphan. */
export function githubLines(plan: WritePlan, ctx: ReportContext): string[] {
  const out: string[] = [];
  for (const a of plan.actions) {
    if (a.kind !== "create" && a.kind !== "update") continue;
    const line = a.kind === "update" ? firstChangedLine(a.before, a.after) : 1;
    out.push(
      renderGithub({
        code: "PLB605",
        severity: "error",
        message: `${ctx.show(a.path)} ${a.kind === "create" ? "is missing" : "is out of date"}; run plumb generate and commit the result`,
        location: { file: ctx.show(a.path), line, column: 1 },
      }),
    );
  }
  for (const o of plan.orphans) {
    out.push(
      renderGithub({
        code: "PLB606",
        severity: "error",
        message: `${ctx.show(o.path)} belongs to no declared ${o.dir === "host_vars" ? "machine" : "domain"}`,
        hint: o.protected
          ? "it says ephemeral: false; remove it by hand"
          : "plumb generate --prune",
        location: { file: ctx.show(o.path), line: 1, column: 1 },
      }),
    );
  }
  return out;
}

function firstChangedLine(before: string, after: string): number {
  let line = 1;
  const n = Math.min(before.length, after.length);
  for (let i = 0; i < n && before[i] === after[i]; i++) if (before[i] === "\n") line++;
  return line;
}

export interface JsonReportInput {
  readonly ok: boolean;
  readonly plan: WritePlan | undefined;
  readonly outcomes: readonly OrphanOutcome[];
  readonly diagnostics: readonly Diagnostic[];
  readonly input: { readonly mode: string; readonly files: readonly string[] };
  readonly output: string;
}

/** The versioned result document of `--json` / `--format json`. */
export function jsonReport(r: JsonReportInput, ctx: ReportContext): Record<string, unknown> {
  const c = r.plan ? countActions(r.plan) : undefined;
  const deleted = r.outcomes.filter((o) => o.deleted).length;
  return {
    version: 1,
    ok: r.ok,
    mode: ctx.mode,
    input: r.input,
    output: r.output,
    summary: c
      ? {
          created: c.create,
          updated: c.update,
          unchanged: c.unchanged,
          orphaned: c.orphaned,
          conflicts: c.conflict,
          written: ctx.mode === "write" && r.ok ? c.create + c.update : 0,
          deleted,
        }
      : undefined,
    files: (r.plan?.actions ?? []).map((a) => ({
      path: ctx.show(a.path),
      action: a.kind,
      ...(a.kind === "update" && a.forced ? { handEditedLines: a.forced.lines } : {}),
      ...(a.kind === "update" && a.unverified ? { unverified: true } : {}),
      ...(a.kind === "update" && a.adopted ? { adopted: true } : {}),
      ...(ctx.mode !== "write" && (a.kind === "create" || a.kind === "update")
        ? {
            diff: unifiedDiff(a.kind === "create" ? undefined : a.before, a.after, {
              oldPath: ctx.show(a.path),
              newPath: ctx.show(a.path),
            }),
          }
        : {}),
    })),
    orphans: r.outcomes.map(({ orphan, deleted: d }) => ({
      path: ctx.show(orphan.path),
      protected: orphan.protected,
      customText: orphan.customText,
      deleted: d,
    })),
    diagnostics: r.diagnostics.map(diagnosticJson),
  };
}
