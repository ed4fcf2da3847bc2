// `plumb contract forge <slug> --input k=v … --target <machine>`: template + inputs → HFC +
// compiled Bash under .plumb/contracts/<id>/. (sign, verify and test build on the same bundle.)

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { sortDiagnostics } from "../../core/diagnostics.js";
import { ExitCode, PlumbError, UsageError } from "../../core/errors.js";
import { gitDriver, reproducibleTime } from "../../core/io/git.js";
import { assertCatalogTrusted } from "../../core/io/lock-trust.js";
import { didYouMean } from "../../core/suggest.js";
import { isTargetName } from "../../core/trust/manifest.js";
import { forge, hfcJson } from "../../generators/contract/hfc.js";
import { loadAndValidate } from "../load-estate.js";
import { renderHuman } from "../render/diagnostics.js";
import type { CommandContext, CommandModule, ParsedValues } from "../spec.js";
import { checkRepoTemplates } from "../templates-kit.js";

export function parseInputs(raw: readonly string[], cwd: string): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const item of raw) {
    const eq = item.indexOf("=");
    if (eq <= 0)
      throw new PlumbError("PLB865", `--input '${item}' is not key=value`, {
        hint: "write --input key=value (or key=@file to read the value from a file)",
      });
    const key = item.slice(0, eq);
    let value = item.slice(eq + 1);
    if (value.startsWith("@")) {
      try {
        value = readFileSync(resolve(cwd, value.slice(1)), "utf8");
      } catch (cause) {
        throw new PlumbError("PLB865", `--input ${key}=@${value.slice(1)}: cannot read the file`, {
          cause,
        });
      }
    }
    if (key in inputs) throw new PlumbError("PLB865", `--input ${key} is given twice`);
    inputs[key] = value;
  }
  return inputs;
}

function writeAtomic(path: string, text: string, mode = 0o644): void {
  writeFileSync(`${path}.tmp`, text, { mode });
  renameSync(`${path}.tmp`, path);
}

async function forgeCommand(
  ctx: CommandContext,
  values: ParsedValues,
  slug: string,
): Promise<number> {
  const root = ctx.repoRoot();
  const target = values.target as string | undefined;
  if (!target)
    throw new UsageError(
      "--target <machine> is required",
      "name the machine the contract is for (it is bound into the signed manifest)",
    );
  // The name is bound into the signed manifest and must be a plain host name (also quoted).
  if (!isTargetName(target))
    throw new PlumbError("PLB849", `target ${JSON.stringify(target)} is not a plain host name`, {
      hint: "letters, digits, '.', '_' and '-', starting with a letter or digit",
    });
  if (values["external-target"] !== true) {
    const { result } = loadAndValidate(ctx, {});
    const machines = Object.values(result.document?.domains ?? {}).flatMap((d) =>
      Object.keys(d?.machines ?? {}),
    );
    if (result.document && !machines.includes(target)) {
      throw new PlumbError("PLB866", `target '${target}' is not a machine of the infra`, {
        hint:
          didYouMean(target, machines) ??
          "pass --external-target for a plain server that is not declared in infra/",
      });
    }
  }
  // Fail closed: nothing of the catalog loads unless templates.lock is signed by the threshold.
  assertCatalogTrusted(root, ctx.env, new Date());
  const checked = await checkRepoTemplates(root);
  const template = checked.templates.find((t) => t.manifest.slug === slug);
  if (!template) {
    const ownErrors = sortDiagnostics(
      checked.diagnostics.filter(
        (d) => d.severity === "error" && d.location?.file.startsWith(`templates/${slug}/`),
      ),
    );
    if (ownErrors.length > 0) {
      for (const d of ownErrors)
        ctx.output.err(
          `${renderHuman(d, (f, l) => checked.sources.get(f)?.lineText(l), ctx.output.style)}\n`,
        );
      throw new PlumbError(
        "PLB850",
        `template '${slug}' does not pass the gatekeeper (${ownErrors.length} error(s) above)`,
        { hint: "fix them, or run `plumb templates check` for details" },
      );
    }
    throw new PlumbError("PLB863", `no template '${slug}'`, {
      hint:
        didYouMean(slug, checked.hashes.keys()) ??
        `templates: ${[...checked.hashes.keys()].join(", ")}`,
    });
  }
  const git = gitDriver(root);
  const inputs = parseInputs((values.input as string[] | undefined) ?? [], ctx.cwd);
  const forged = forge(template, {
    target,
    inputs,
    gitCommit: await git.headCommit(),
    createdAt:
      (values["created-at"] as string | undefined) ?? (await reproducibleTime(ctx.env, git)),
  });
  const id = forged.hfc.header.id;
  const dir = resolve(root, (values.out as string | undefined) ?? join(".plumb", "contracts", id));
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, "contract.sh"), forged.script, 0o755);
  writeAtomic(join(dir, "hfc.json"), hfcJson(forged.hfc));
  const scriptSha = createHash("sha256").update(forged.script).digest("hex");
  const shown = relative(ctx.cwd, dir) || ".";
  if (values.print === true) ctx.output.out(forged.script);
  if (ctx.globals.json) {
    ctx.output.writeJson({
      version: 1,
      ok: true,
      id,
      dir: shown,
      script: {
        path: join(shown, "contract.sh"),
        sha256: scriptSha,
        bytes: Buffer.byteLength(forged.script),
      },
      hfc: forged.hfc,
    });
  } else {
    const s = ctx.output.style;
    ctx.output.err(
      `${s.green("✔")} forged ${s.bold(id)}: ${forged.hfc.header.template} for ${target}`,
    );
    ctx.output.err(`  ${join(shown, "contract.sh")}  sha256 ${scriptSha}`);
    ctx.output.err(
      `  ${join(shown, "hfc.json")}     ${forged.hfc.gates.length} gates, ${forged.hfc.bom.length} files, ${forged.hfc.operations.length} operations, ${forged.hfc.proofs.length} proofs`,
    );
    ctx.output.err(`  risk ${forged.hfc.header.risk}`);
    for (const a of forged.hfc.actions)
      ctx.output.err(
        `  action ${a.action_id}: risk ${a.risk_level}, consent ${a.consent_level}, role ${a.role}`,
      );
  }
  return ExitCode.ok;
}

export const run: CommandModule["run"] = async (ctx, values, positionals) => {
  const [action, arg] = positionals;
  if (action === "forge") {
    if (!arg)
      throw new UsageError(
        "plumb contract forge needs a template slug",
        "usage: plumb contract forge <slug> --input k=v … --target <machine>",
      );
    return forgeCommand(ctx, values, arg);
  }
  if (action === "sign" || action === "verify") {
    if (!arg)
      throw new UsageError(
        `plumb contract ${action} needs a bundle directory`,
        "e.g. .plumb/contracts/<id>",
      );
    const { signCommand, verifyCommand } = await import("./contract-sign.js");
    return action === "sign" ? signCommand(ctx, values, arg) : verifyCommand(ctx, values, arg);
  }
  if (action === "test") {
    if (!arg)
      throw new UsageError(
        "plumb contract test needs a bundle directory",
        "e.g. .plumb/contracts/<id>",
      );
    const { testCommand } = await import("./contract-test.js");
    return testCommand(ctx, values, arg);
  }
  throw new UsageError(
    `unknown action '${action ?? ""}'`,
    "use: plumb contract forge|sign|verify|test …",
  );
};
