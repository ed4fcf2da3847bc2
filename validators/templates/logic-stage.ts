// Gatekeeper stage "logic": the bounded steps are checked (modes, executable assets, command
// allowlist), the template is forged with its sample_inputs (rendered paths and arguments
// checked), and the compiled script passes bash -n and shellcheck. Declared executable assets
// are scanned for forbidden patterns and writes outside the BOM, and shellchecked.
import type { Diagnostic, JsonPath } from "../../core/diagnostics.js";
import { PlumbError } from "../../core/errors.js";
import type { LintDriver } from "../../core/io/lint-driver.js";
import type { TemplateFolder } from "../../core/io/read-templates.js";
import type { CatalogAction } from "../../core/model/action.js";
import type { TemplateManifest } from "../../core/model/template.js";
import { forge, StepError } from "../../generators/contract/hfc.js";
import { checkStepsStatic } from "../../generators/contract/step-check.js";
import { forbiddenInScript, writesOutsideBom } from "./forbidden.js";

type Locate = (path: JsonPath, target?: "key" | "value") => Diagnostic["location"];

export async function logicStage(
  folder: TemplateFolder,
  manifest: TemplateManifest,
  files: Map<string, string>,
  hash: string,
  lint: LintDriver,
  at: Locate,
  catalog: ReadonlyMap<string, CatalogAction> = new Map(),
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const hint =
    "contracts run bounded steps only: see docs/contracts.md (step types, command allowlist, paths)";
  for (const issue of checkStepsStatic(manifest, files))
    out.push({
      code: issue.code,
      severity: "error",
      message: issue.message,
      hint,
      location: at(issue.path),
    });
  if (out.length > 0) return out;
  let forged: ReturnType<typeof forge>;
  try {
    forged = forge(
      { dir: folder.dir, manifest, files, treeHash: hash, catalog },
      {
        target: "gatekeeper-sample",
        inputs: manifest.sample_inputs,
        gitCommit: null,
        createdAt: "1970-01-01T00:00:00Z",
      },
    );
  } catch (e) {
    if (!(e instanceof PlumbError)) throw e;
    return [
      {
        code: e.code,
        severity: "error",
        message: `with sample_inputs: ${e.message}`,
        ...(e.hint ? { hint: e.hint } : {}),
        location: at(e instanceof StepError ? e.path : ["sample_inputs"]),
      },
    ];
  }
  const syntax = await lint.bashSyntax(forged.script);
  if (syntax !== undefined)
    out.push({
      code: "PLB857",
      severity: "error",
      message: `compiled script: ${syntax}`,
      location: at([]),
    });
  for (const f of await lint.shellcheck(forged.script)) {
    out.push({
      code: "PLB858",
      severity: "error",
      message: `compiled script line ${f.line}: SC${f.code} (${f.level}) ${f.message}`,
      hint: "fix the template field or file that produces this line (`plumb contract forge` shows the script)",
      location: at([]),
    });
  }
  const bomPaths = new Set(forged.hfc.bom.map((b) => b.path));
  for (const b of manifest.bom ?? []) {
    if (b.executable !== true) continue;
    const text = files.get(b.source) ?? "";
    const file = `${folder.dir}/files/${b.source}`;
    for (const f of [...forbiddenInScript(text), ...writesOutsideBom(text, bomPaths)]) {
      out.push({
        code: f.code,
        severity: "error",
        message: `${b.source} line ${f.line}: ${f.message}`,
        location: { file, line: f.line, column: 1 },
      });
    }
    if (/^#!.*\b(ba)?sh\b/.test(text)) {
      for (const f of await lint.shellcheck(text)) {
        out.push({
          code: "PLB858",
          severity: "error",
          message: `${b.source} line ${f.line}: SC${f.code} (${f.level}) ${f.message}`,
          location: { file, line: f.line, column: f.column },
        });
      }
    }
  }
  return out;
}
