// `plumb generate` (alias `sync`): validated infra → the Ansible tree (inventory/, group_vars/,
// host_vars/, under `global.ansible_dir` or --out) with managed sections. Order of work: validate; render; read and check every
// existing file (markers, hand edits); only then write, each file atomically, and only the files
// whose bytes change. --check and --dry-run stop before writing.
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Diagnostic } from "../../core/diagnostics.js";
import { ExitCode } from "../../core/errors.js";
import { applyToTree, readGeneratedTree } from "../../core/io/generated-tree.js";
import { buildEstate } from "../../core/model/estate.js";
import { folderUnder } from "../../core/model/safe-path.js";
import { planWrites, type WritePlan } from "../../generators/ansible/plan-writes.js";
import { renderAnsibleTree } from "../../generators/ansible/render.js";
import { addressLockStep, refuseUnrecordedRenumbers } from "../address-lock-step.js";
import { loadAndValidate } from "../load-estate.js";
import { renderGithub, renderHuman, summaryLine } from "../render/diagnostics.js";
import {
  conflictDiagnostics,
  fileLines,
  type GenerateMode,
  githubLines,
  isDrift,
  jsonReport,
  type OrphanOutcome,
  orphanLines,
  type ReportContext,
  summaryText,
} from "../render/generate-report.js";
import { confirm } from "../session.js";
import type { CommandContext, CommandModule } from "../spec.js";

type Format = "human" | "json" | "github";

export const run: CommandModule["run"] = async (ctx, values) => {
  const format: Format = ctx.globals.json ? "json" : (values.format as Format);
  const mode: GenerateMode =
    values.check === true ? "check" : values["dry-run"] === true ? "dry-run" : "write";
  const out = ctx.output;
  const { root, loaded, result, addressLock } = loadAndValidate(ctx, {
    infra: values.infra as string | undefined,
    strict: values.strict === true,
    allowUnknownKeys: values["allow-unknown-keys"] === true,
  });
  // --out wins; else the estate's global.ansible_dir (the example sets `ansible`); else the root.
  const outDir =
    typeof values.out === "string"
      ? resolve(ctx.cwd, values.out)
      : folderUnder(root, result.document?.global?.ansible_dir ?? ".");
  const report: ReportContext = { mode, show: displayPath(root, outDir), style: out.style };
  const input = { mode: loaded.mode, files: loaded.sources.map((f) => f.file) };
  const lineOf = (file: string, line: number) => loaded.source(file)?.lineText(line);
  const finish = (ok: boolean, plan?: WritePlan, outcomes: OrphanOutcome[] = []) => {
    if (format === "json") {
      const conflicts = plan ? conflictDiagnostics(plan, report.show) : [];
      const diagnostics = [...result.diagnostics, ...conflicts];
      out.writeJson(
        jsonReport({ ok, plan, outcomes, diagnostics, input, output: report.show(".") }, report),
      );
    }
    return ok ? ExitCode.ok : ExitCode.error;
  };

  // 1. Validation first: nothing is read or written in the output tree when it fails.
  if (format !== "json") printDiagnostics(ctx, format, result.diagnostics, lineOf);
  if (!result.ok || result.document === undefined) {
    if (format === "human") out.err(summaryLine(result.diagnostics, out.style));
    return finish(false);
  }

  // Sticky addressing: the lock is checked with the tree and written after it.
  const lock = addressLockStep(root, addressLock, result.document);
  if (mode === "write") refuseUnrecordedRenumbers(lock, values["allow-renumber"] === true);

  // 2. Render, then plan against every existing file before anything is written.
  const tree = renderAnsibleTree(buildEstate(result.document, addressLock.lock));
  const existing = readGeneratedTree(outDir);
  const plan = planWrites(tree, existing.files, { force: values.force === true });
  const conflicts = conflictDiagnostics(plan, report.show);
  if (conflicts.length > 0) {
    const fileText = (file: string, line: number) => {
      const a = plan.actions.find((x) => report.show(x.path) === file);
      return a?.kind === "conflict" ? a.before.split("\n")[line - 1] : undefined;
    };
    if (format !== "json") printDiagnostics(ctx, format, conflicts, fileText);
    if (format === "human")
      out.err(
        `${summaryLine(conflicts, out.style)}: nothing written (every file is checked before any is written)`,
      );
    return finish(false, plan);
  }
  if (tree.files.size === 0 && format === "human")
    out.err("No domains defined. Nothing to generate.");

  // 3. Check / dry run: report only.
  if (mode !== "write") {
    const outcomes = plan.orphans.map((orphan) => ({ orphan, deleted: false }));
    const drift = mode === "check" && (isDrift(plan) || lock.changed);
    if (lock.changed && format !== "json")
      out.out(`${mode === "check" ? "stale" : "would update"} ${lock.show}`);
    if (format === "json") return finish(!drift, plan, outcomes);
    if (format === "github") for (const l of githubLines(plan, report)) out.out(l);
    if (values.quiet !== true || drift) for (const l of fileLines(plan, report)) out.out(l);
    for (const l of orphanLines(outcomes, report)) out.out(l);
    if (values.quiet !== true || drift) out.err(summaryText(plan, outcomes, report));
    return drift ? ExitCode.error : ExitCode.ok;
  }

  // 4. Write: confirm pruning first, so a refusal leaves everything untouched.
  const deletable = plan.orphans.filter((o) => !o.protected);
  let prune = false;
  if (values.prune === true && deletable.length > 0) {
    prune =
      values.yes === true ||
      (await confirmPrune(
        ctx,
        deletable.map((o) => report.show(o.path)),
      ));
  }
  const writes = plan.actions.flatMap((a) =>
    a.kind === "create" || a.kind === "update" ? [{ path: a.path, content: a.after }] : [],
  );
  await applyToTree(outDir, {
    writes,
    deletes: prune ? deletable.map((o) => o.path) : [],
    strayTemps: existing.strayTemps,
  });
  if (lock.changed) {
    await lock.write();
    if (format === "human")
      out.err(
        `recorded addresses in ${lock.show} (${lock.added} added, ${lock.removed} removed, ${lock.renumbers.length} renumbered)`,
      );
  }
  const outcomes = plan.orphans.map((orphan) => ({ orphan, deleted: prune && !orphan.protected }));
  if (format === "json") return finish(true, plan, outcomes);
  if (values.quiet !== true) for (const l of fileLines(plan, report)) out.out(l);
  for (const l of orphanLines(outcomes, report)) out.out(l);
  if (!prune && deletable.length > 0 && format === "human")
    out.err(
      out.style.dim(
        "  orphans are kept; `plumb generate --prune` deletes them (after confirmation)",
      ),
    );
  if (values.quiet !== true) out.err(summaryText(plan, outcomes, report));
  return ExitCode.ok;
};

function printDiagnostics(
  ctx: CommandContext,
  format: Format,
  diagnostics: readonly Diagnostic[],
  lineOf: (file: string, line: number) => string | undefined,
): void {
  const out = ctx.output;
  if (format === "github") for (const d of diagnostics) out.out(renderGithub(d));
  else for (const d of diagnostics) out.err(`${renderHuman(d, lineOf, out.style)}\n`);
}

/** Lists the orphans, then the shared prompt; without a terminal, PLB607 (say --yes). */
async function confirmPrune(ctx: CommandContext, paths: readonly string[]): Promise<boolean> {
  const n = `${paths.length} orphan file${paths.length === 1 ? "" : "s"}`;
  if (process.stdin.isTTY)
    ctx.output.err(`These orphan files will be deleted:\n${paths.map((p) => `  ${p}`).join("\n")}`);
  return confirm(
    ctx,
    `Delete ${n}?`,
    `--prune would delete ${n}`,
    "PLB607",
    "re-run with --prune --yes to delete them, or without --prune to keep them",
  );
}

/** Paths as the user should see them: relative to the repository root when inside it. */
function displayPath(root: string, outDir: string): (path: string) => string {
  return (path) => {
    const abs = join(outDir, path);
    const rel = relative(root, abs);
    return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? abs : rel;
  };
}
