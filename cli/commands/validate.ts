// `plumb validate`: schema + semantic rules, every problem reported with file:line:column.
import { countBySeverity } from "../../core/diagnostics.js";
import { ExitCode } from "../../core/errors.js";
import { loadAndValidate } from "../load-estate.js";
import { diagnosticJson, renderGithub, renderHuman, summaryLine } from "../render/diagnostics.js";
import type { CommandModule } from "../spec.js";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export const run: CommandModule["run"] = async (ctx, values) => {
  const format = ctx.globals.json ? "json" : (values.format as string);
  const { loaded, result } = loadAndValidate(ctx, {
    infra: values.infra as string | undefined,
    strict: values.strict === true,
  });
  const { errors, warnings } = countBySeverity(result.diagnostics);
  const out = ctx.output;
  const s = out.style;
  if (format === "json") {
    out.writeJson({
      version: 1,
      ok: result.ok,
      errors,
      warnings,
      input: { mode: loaded.mode, files: loaded.sources.map((f) => f.file) },
      stats: result.stats,
      diagnostics: result.diagnostics.map(diagnosticJson),
    });
  } else if (format === "github") {
    for (const d of result.diagnostics) out.out(renderGithub(d));
    if (values.quiet !== true)
      out.err(
        result.ok
          ? `plumb validate: ok (${errors} errors, ${warnings} warnings)`
          : `plumb validate: ${errors} errors, ${warnings} warnings`,
      );
  } else {
    const lineOf = (file: string, line: number) => loaded.source(file)?.lineText(line);
    for (const d of result.diagnostics) out.err(`${renderHuman(d, lineOf, s)}\n`);
    if (values.quiet !== true) {
      const what = `${result.stats.domains} domain${result.stats.domains === 1 ? "" : "s"}, ${result.stats.machines} machine${result.stats.machines === 1 ? "" : "s"} in ${result.stats.files} file${result.stats.files === 1 ? "" : "s"}`;
      if (result.ok)
        out.err(
          `${s.green("✔")} valid: ${what}${warnings ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : ""}`,
        );
      else out.err(`${summaryLine(result.diagnostics, s)} (${what})`);
    }
  }
  return result.ok ? ExitCode.ok : ExitCode.error;
};
