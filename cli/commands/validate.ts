// `plumb validate`: the infra (schema + semantic rules) and the contract templates (the
// gatekeeper), every problem reported with file:line:column.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic } from "../../core/diagnostics.js";
import { countBySeverity, sortDiagnostics } from "../../core/diagnostics.js";
import { ExitCode } from "../../core/errors.js";
import { lockTrustDiagnostics } from "../../core/io/lock-trust.js";
import { readTemplates } from "../../core/io/read-templates.js";
import { templateCheckCache, templateLineText } from "../../core/io/template-check-cache.js";
import { loadAndValidate } from "../load-estate.js";
import { diagnosticJson, renderGithub, renderHuman, summaryLine } from "../render/diagnostics.js";
import type { CommandModule } from "../spec.js";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export const run: CommandModule["run"] = async (ctx, values) => {
  const format = ctx.globals.json ? "json" : (values.format as string);
  const strict = values.strict === true;
  const { root, loaded, result } = loadAndValidate(ctx, {
    infra: values.infra as string | undefined,
    strict,
    allowUnknownKeys: values["allow-unknown-keys"] === true,
  });
  let diagnostics: readonly Diagnostic[] = result.diagnostics;
  let templates = 0;
  let templateLine: ((file: string, line: number) => string | undefined) | undefined;
  if (values["skip-templates"] !== true && existsSync(join(root, "templates"))) {
    const checked = await checkTemplatesCached(root);
    templates = checked.count;
    templateLine = checked.lineText;
    // The lock's signatures are judged on every run (not cached: keys and signatures change).
    const trust = lockTrustDiagnostics(root, ctx.env, new Date());
    const promoted = [...checked.diagnostics, ...trust].map((d) =>
      strict && d.severity === "warning" ? { ...d, severity: "error" as const } : d,
    );
    diagnostics = sortDiagnostics([...diagnostics, ...promoted]);
  }
  const { errors, warnings, notes } = countBySeverity(diagnostics);
  const ok = result.ok && errors === 0;
  const stats = { ...result.stats, templates };
  const out = ctx.output;
  const s = out.style;
  if (format === "json") {
    out.writeJson({
      version: 1,
      ok,
      errors,
      warnings,
      notes,
      input: { mode: loaded.mode, files: loaded.sources.map((f) => f.file) },
      stats,
      diagnostics: diagnostics.map(diagnosticJson),
    });
  } else if (format === "github") {
    for (const d of diagnostics) out.out(renderGithub(d));
    if (values.quiet !== true)
      out.err(
        `plumb validate: ${ok ? "ok, " : ""}${plural(errors, "error")}, ${plural(warnings, "warning")}`,
      );
  } else {
    const lineOf = (file: string, line: number) =>
      loaded.source(file)?.lineText(line) ?? templateLine?.(file, line);
    for (const d of diagnostics) out.err(`${renderHuman(d, lineOf, s)}\n`);
    if (values.quiet !== true) {
      const what = `${plural(stats.domains, "domain")}, ${plural(stats.machines, "machine")} in ${plural(stats.files, "file")}${templates ? `, ${plural(templates, "template")}` : ""}`;
      if (ok)
        out.err(
          `${s.green("✔")} valid: ${what}${warnings ? ` (${plural(warnings, "warning")})` : ""}`,
        );
      else out.err(`${summaryLine(diagnostics, s)} (${what})`);
    }
  }
  return ok ? ExitCode.ok : ExitCode.error;
};

/**
 * The template gatekeeper's verdict, reused when nothing it reads changed (template bytes, the
 * lock, the linters, plumb's build: core/io/template-check-cache.ts); otherwise run and recorded.
 */
async function checkTemplatesCached(root: string): Promise<{
  count: number;
  diagnostics: readonly Diagnostic[];
  lineText: (file: string, line: number) => string | undefined;
}> {
  const read = readTemplates(root);
  const cache = await templateCheckCache(
    root,
    read,
    new URL("../../build-id.txt", import.meta.url),
  );
  const hit = cache?.get();
  if (hit !== undefined) return { ...hit, lineText: templateLineText(read) };
  const { checkRepoTemplates } = await import("../templates-kit.js");
  const checked = await checkRepoTemplates(root);
  await cache?.put({ count: checked.count, diagnostics: checked.diagnostics });
  return {
    count: checked.count,
    diagnostics: checked.diagnostics,
    // templates.lock lines too, as on a cache hit, so both runs print the same.
    lineText: (file, line) =>
      checked.sources.get(file)?.lineText(line) ?? templateLineText(read)(file, line),
  };
}
