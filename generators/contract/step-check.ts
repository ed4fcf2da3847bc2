// Checks the bounded steps of a template: statically (modes, executable assets, which
// executables run) and after rendering (paths against their BOM root and the allowlists,
// command arguments against their forms, names and ports). Each issue carries the JSON path of
// the step in template.yml, so the gatekeeper can point at it and forge can name it.
import type { JsonPath } from "../../core/diagnostics.js";
import type {
  BomEntry,
  CommandStep,
  Gate,
  Operation,
  Proof,
  TemplateManifest,
} from "../../core/model/template.js";
import { checkArgs, checkExec } from "./command-allowlist.js";
import { type PathUse, pathProblem } from "./step-paths.js";
import { isStaticText } from "./template-language.js";

export interface StepIssue {
  readonly code:
    | "PLB824"
    | "PLB825"
    | "PLB826"
    | "PLB827"
    | "PLB828"
    | "PLB829"
    | "PLB832"
    | "PLB833"
    | "PLB834";
  readonly message: string;
  readonly path: JsonPath;
}

const modeBits = (mode: string | undefined, fallback: number) =>
  mode === undefined ? fallback : Number.parseInt(mode, 8);

/** Declared executable assets: their (literal) BOM paths. */
export function executableAssets(m: TemplateManifest): Set<string> {
  return new Set((m.bom ?? []).filter((b) => b.executable === true).map((b) => b.path));
}

/** Checks that need no inputs: modes, executable declarations, executables. */
export function checkStepsStatic(
  m: TemplateManifest,
  files: ReadonlyMap<string, string>,
): StepIssue[] {
  const out: StepIssue[] = [];
  const assets = executableAssets(m);
  (m.bom ?? []).forEach((b: BomEntry, i) => {
    const mode = modeBits(b.mode, b.executable ? 0o755 : 0o644);
    if (mode & 0o7000)
      out.push({
        code: "PLB827",
        message: `bom[${i}] mode ${b.mode} sets setuid, setgid or sticky bits`,
        path: ["bom", i, "mode"],
      });
    if (mode & 0o111 && b.executable !== true)
      out.push({
        code: "PLB828",
        message: `bom[${i}] mode ${b.mode} is executable but the entry does not declare executable: true`,
        path: ["bom", i, "mode"],
      });
    if (b.executable === true) {
      if (/\{[{%]/.test(b.path))
        out.push({
          code: "PLB829",
          message: `bom[${i}]: an executable asset's path is literal`,
          path: ["bom", i, "path"],
        });
      const text = files.get(b.source);
      if (text !== undefined && !isStaticText(text))
        out.push({
          code: "PLB829",
          message: `bom[${i}]: executable asset files/${b.source} contains template expressions`,
          path: ["bom", i, "source"],
        });
    }
  });
  const exec = (c: CommandStep, path: JsonPath, as: "operation" | "proof") => {
    const issue = checkExec(c.exec, assets, as);
    if (issue) out.push({ ...issue, path: [...path, "exec"] });
  };
  (m.operations ?? []).forEach((o, i) => {
    if ("command" in o) exec(o.command, ["operations", i, "command"], "operation");
    if ("directory" in o && modeBits(o.directory.mode, 0o755) & 0o7000)
      out.push({
        code: "PLB827",
        message: `operations[${i}] directory mode ${o.directory.mode} sets setuid, setgid or sticky bits`,
        path: ["operations", i, "directory", "mode"],
      });
  });
  (m.proofs ?? []).forEach((p, i) => {
    if ("command" in p) exec(p.command, ["proofs", i, "command"], "proof");
  });
  return out;
}

export interface RenderedSteps {
  readonly gates: readonly Gate[];
  readonly bomPaths: readonly string[];
  readonly operations: readonly Operation[];
  readonly proofs: readonly Proof[];
}

const PACKAGE = /^[a-z0-9][a-z0-9+.-]*$/;
const SERVICE = /^[A-Za-z0-9@._-]+$/;

/** Checks rendered steps; `m` supplies the templates (for BOM roots) and paths. */
export function checkStepsRendered(m: TemplateManifest, r: RenderedSteps): StepIssue[] {
  const out: StepIssue[] = [];
  const assets = executableAssets(m);
  const path = (rendered: string, template: string, use: PathUse, at: JsonPath) => {
    const why = pathProblem(rendered, template, use);
    if (why) out.push({ code: "PLB824", message: why, path: at });
  };
  for (const [i, b] of (m.bom ?? []).entries())
    path(r.bomPaths[i] ?? "", b.path, b.executable ? "executable" : "write", ["bom", i, "path"]);
  r.gates.forEach((g, i) => {
    const t = m.gates?.[i];
    if ("file_exists" in g && t && "file_exists" in t)
      path(g.file_exists, t.file_exists, "read", ["gates", i, "file_exists"]);
    if ("file_absent" in g && t && "file_absent" in t)
      path(g.file_absent, t.file_absent, "read", ["gates", i, "file_absent"]);
  });
  const args = (c: CommandStep, at: JsonPath, as: "operation" | "proof") => {
    const issue = checkArgs(c.exec, c.args ?? [], assets, as);
    if (issue) out.push({ ...issue, path: [...at, "args"] });
  };
  r.operations.forEach((o, i) => {
    const t = m.operations?.[i];
    const at: JsonPath = ["operations", i];
    if ("apt_install" in o)
      for (const p of o.apt_install.filter((x) => !PACKAGE.test(x)))
        out.push({ code: "PLB832", message: `'${p}' is not a package name`, path: at });
    if ("service" in o && !SERVICE.test(o.service.name))
      out.push({ code: "PLB832", message: `'${o.service.name}' is not a service name`, path: at });
    if ("directory" in o && t && "directory" in t)
      path(o.directory.path, t.directory.path, "write", [...at, "directory", "path"]);
    if ("symlink" in o && t && "symlink" in t) {
      path(o.symlink.link, t.symlink.link, "write", [...at, "symlink", "link"]);
      path(o.symlink.target, t.symlink.target, "read", [...at, "symlink", "target"]);
    }
    if ("command" in o) args(o.command, [...at, "command"], "operation");
  });
  r.proofs.forEach((p, i) => {
    const t = m.proofs?.[i];
    const at: JsonPath = ["proofs", i];
    if ("file_contains" in p && t && "file_contains" in t)
      path(p.file_contains.path, t.file_contains.path, "read", [...at, "file_contains", "path"]);
    if ("command" in p) args(p.command, [...at, "command"], "proof");
    if ("service_active" in p && !SERVICE.test(p.service_active))
      out.push({
        code: "PLB832",
        message: `'${p.service_active}' is not a service name`,
        path: at,
      });
    if ("package_installed" in p && !PACKAGE.test(p.package_installed))
      out.push({
        code: "PLB832",
        message: `'${p.package_installed}' is not a package name`,
        path: at,
      });
  });
  return out;
}
