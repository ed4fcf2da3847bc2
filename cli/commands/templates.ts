// `plumb templates check [slug…]` and `plumb templates lock`: the template gatekeeper.
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { countBySeverity, sortDiagnostics } from "../../core/diagnostics.js";
import { ExitCode, UsageError } from "../../core/errors.js";
import { renderLock } from "../../validators/templates/tree-hash.js";
import { diagnosticJson, renderGithub, renderHuman, summaryLine } from "../render/diagnostics.js";
import type { CommandModule } from "../spec.js";
import { checkRepoTemplates } from "../templates-kit.js";

export const run: CommandModule["run"] = async (ctx, values, positionals) => {
  const [action, ...slugs] = positionals;
  const root = ctx.repoRoot();
  const out = ctx.output;
  const s = out.style;
  if (action === "lock") {
    const checked = await checkRepoTemplates(root, ["manifest", "assets", "logic"]);
    const blocking = checked.diagnostics.filter((d) => d.severity === "error");
    if (blocking.length > 0) {
      for (const d of sortDiagnostics(blocking))
        out.err(`${renderHuman(d, (f, l) => checked.sources.get(f)?.lineText(l), s)}\n`);
      out.err(s.red(`✖ not locking: ${blocking.length} error(s) in templates`));
      return ExitCode.error;
    }
    const file = join(root, checked.lockPath);
    writeFileSync(`${file}.tmp`, renderLock(checked.hashes, checked.catalog.hashes));
    renameSync(`${file}.tmp`, file);
    if (ctx.globals.json)
      out.writeJson({
        version: 1,
        ok: true,
        lock: checked.lockPath,
        templates: Object.fromEntries(checked.hashes),
        actions: Object.fromEntries(checked.catalog.hashes),
      });
    else
      out.err(
        `${s.green("✔")} wrote ${checked.lockPath} (${checked.hashes.size} template${checked.hashes.size === 1 ? "" : "s"})`,
      );
    return ExitCode.ok;
  }
  if (action !== "check")
    throw new UsageError(
      `unknown action '${action ?? ""}'`,
      "use: plumb templates check | plumb templates lock",
    );
  const checked = await checkRepoTemplates(root);
  const unknown = slugs.filter((x) => !checked.hashes.has(x));
  if (unknown.length)
    throw new UsageError(
      `no template named ${unknown.join(", ")}`,
      `templates: ${[...checked.hashes.keys()].join(", ") || "(none)"}`,
    );
  const diagnostics = sortDiagnostics(
    slugs.length
      ? checked.diagnostics.filter((d) =>
          slugs.some((x) => d.location?.file.startsWith(`templates/${x}/`)),
        )
      : checked.diagnostics,
  );
  const { errors, warnings } = countBySeverity(diagnostics);
  const format = ctx.globals.json ? "json" : (values.format as string);
  if (format === "json") {
    out.writeJson({
      version: 1,
      ok: errors === 0,
      errors,
      warnings,
      templates: [...checked.hashes.keys()],
      actions: [...checked.catalog.actions.keys()],
      diagnostics: diagnostics.map(diagnosticJson),
    });
  } else if (format === "github") {
    for (const d of diagnostics) out.out(renderGithub(d));
  } else {
    for (const d of diagnostics)
      out.err(`${renderHuman(d, (f, l) => checked.sources.get(f)?.lineText(l), s)}\n`);
    if (errors === 0)
      out.err(
        `${s.green("✔")} ${checked.count} template${checked.count === 1 ? "" : "s"} passed manifest, assets, logic and hash checks${warnings ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : ""}`,
      );
    else out.err(summaryLine(diagnostics, s));
  }
  return errors === 0 ? ExitCode.ok : ExitCode.error;
};
