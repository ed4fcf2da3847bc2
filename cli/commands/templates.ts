// `plumb templates check [slug…]`, `plumb templates lock` and `plumb templates sign`: the template
// gatekeeper and the signed catalog lock.
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { countBySeverity, sortDiagnostics } from "../../core/diagnostics.js";
import { ExitCode, UsageError } from "../../core/errors.js";
import {
  clearLockSignatures,
  lockTrustDiagnostics,
  readLockFiles,
} from "../../core/io/lock-trust.js";
import { writeAtomic } from "../../core/io/trust-store.js";
import { renderLock } from "../../validators/templates/tree-hash.js";
import { diagnosticJson, renderGithub, renderHuman, summaryLine } from "../render/diagnostics.js";
import { nowFrom } from "../session.js";
import type { CommandModule } from "../spec.js";
import { checkRepoTemplates } from "../templates-kit.js";
import { signLockCommand } from "./templates-sign.js";

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
    const text = renderLock(checked.hashes, checked.catalog.hashes);
    const before = readLockFiles(root).bytes;
    const changed = before === undefined || !Buffer.from(text, "utf8").equals(Buffer.from(before));
    // Old signatures sign other bytes: removed with the change, so the lock reads as unsigned.
    const dropped = changed ? clearLockSignatures(root) : 0;
    if (changed) writeAtomic(file, text);
    if (ctx.globals.json)
      out.writeJson({
        version: 1,
        ok: true,
        lock: checked.lockPath,
        changed,
        signatures_removed: dropped,
        templates: Object.fromEntries(checked.hashes),
        actions: Object.fromEntries(checked.catalog.hashes),
      });
    else {
      out.err(
        `${s.green("✔")} ${changed ? "wrote" : "unchanged:"} ${checked.lockPath} (${checked.hashes.size} template${checked.hashes.size === 1 ? "" : "s"})`,
      );
      if (changed)
        out.err(
          `  ${s.yellow("the lock is unsigned")}${dropped ? ` (${dropped} old signature(s) removed: they signed the previous lock)` : ""}: forging and delivery refuse it until \`plumb templates sign --key <file>\` reaches the contract threshold`,
        );
    }
    return ExitCode.ok;
  }
  if (action === "sign") return signLockCommand(ctx, values);
  if (action !== "check")
    throw new UsageError(
      `unknown action '${action ?? ""}'`,
      "use: plumb templates check | plumb templates lock | plumb templates sign --key <file>",
    );
  const checked = await checkRepoTemplates(root);
  const unknown = slugs.filter((x) => !checked.hashes.has(x));
  if (unknown.length)
    throw new UsageError(
      `no template named ${unknown.join(", ")}`,
      `templates: ${[...checked.hashes.keys()].join(", ") || "(none)"}`,
    );
  const diagnostics = sortDiagnostics([
    ...(slugs.length
      ? checked.diagnostics.filter((d) =>
          slugs.some((x) => d.location?.file.startsWith(`templates/${x}/`)),
        )
      : checked.diagnostics),
    ...lockTrustDiagnostics(root, ctx.env, nowFrom(values)),
  ]);
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
