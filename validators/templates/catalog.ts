// Gatekeeper for the action catalog (templates/actions/<action_id>.yml): schema, id = file name,
// content hash in templates.lock (checked before anything renders), the template language of
// every step string, the bounded step checks, and a render with sample_params. Only actions
// that pass every check load; anything else loads nothing (fail closed).
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { Diagnostic } from "../../core/diagnostics.js";
import { PlumbError } from "../../core/errors.js";
import type { CatalogAction } from "../../core/model/action.js";
import type { TemplateManifest } from "../../core/model/template.js";
import { parseYamlSource, type YamlSource } from "../../core/source/yaml-source.js";
import { expandActions } from "../../generators/contract/actions.js";
import { scopeOf } from "../../generators/contract/render.js";
import { checkStepsStatic } from "../../generators/contract/step-check.js";
import { schemaErrorsToDiagnostics } from "../schema-check.js";
import { actionSchema } from "./action-schema.js";
import { languageStage } from "./language-stage.js";
import type { TemplatesLock } from "./tree-hash.js";

export interface ActionFile {
  /** File name without `.yml`. */
  readonly name: string;
  /** Display path, e.g. `templates/actions/package-install.yml`. */
  readonly file: string;
  readonly bytes: Uint8Array;
}

export interface CatalogResult {
  readonly diagnostics: Diagnostic[];
  readonly actions: Map<string, CatalogAction>;
  readonly hashes: Map<string, string>;
  readonly sources: Map<string, YamlSource>;
}

const require = createRequire(import.meta.url);
let validate: ((d: unknown) => boolean) & { errors?: import("ajv").ErrorObject[] | null };

export const actionHash = (bytes: Uint8Array) =>
  `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

export function checkCatalog(
  files: readonly ActionFile[],
  lock: TemplatesLock | undefined,
  lockPath: string,
  checkHash: boolean,
): CatalogResult {
  const { Ajv2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
  validate ??= new Ajv2020({
    allErrors: true,
    strict: true,
    verbose: true,
    allowUnionTypes: true,
  }).compile(actionSchema);
  const result: CatalogResult = {
    diagnostics: [],
    actions: new Map(),
    hashes: new Map(),
    sources: new Map(),
  };
  for (const f of files) {
    const src = parseYamlSource(f.bytes, f.file);
    result.sources.set(f.file, src);
    const hash = actionHash(f.bytes);
    result.hashes.set(f.name, hash);
    const found: Diagnostic[] = [...src.diagnostics];
    const a = src.value as CatalogAction | undefined;
    if (a !== undefined && !validate(a))
      for (const d of schemaErrorsToDiagnostics(validate.errors ?? [], a))
        found.push({ ...d, location: src.locate(d.path ?? [], d.target) });
    if (found.length === 0 && a && a.action_id !== f.name)
      found.push({
        code: "PLB835",
        severity: "error",
        message: `action_id '${a.action_id}' differs from the file name '${f.name}.yml'`,
        location: src.locate(["action_id"]),
      });
    if (checkHash && lock?.actions?.[f.name] !== hash)
      found.push({
        code: "PLB861",
        severity: "error",
        message: `catalog action '${f.name}' changed: ${lock === undefined ? `${lockPath} does not exist` : lock.actions?.[f.name] === undefined ? `it is not in ${lockPath}` : `its hash differs from ${lockPath}`}`,
        hint: "review the change, then run `plumb templates lock` and commit templates.lock",
        location: { file: f.file, line: 1, column: 1 },
      });
    if (found.length === 0 && a) found.push(...actionLogic(a, src));
    result.diagnostics.push(...found);
    if (a && !found.some((d) => d.severity === "error")) result.actions.set(a.action_id, a);
  }
  if (checkHash && lock?.actions)
    for (const name of Object.keys(lock.actions))
      if (!files.some((f) => f.name === name))
        result.diagnostics.push({
          code: "PLB861",
          severity: "error",
          message: `${lockPath} lists action '${name}', which no longer exists under templates/actions/`,
          hint: "run `plumb templates lock`",
          location: { file: lockPath, line: 1, column: 1 },
        });
  return result;
}

/** Language, bounded-step checks and a render with sample_params, as a one-action template. */
function actionLogic(a: CatalogAction, src: YamlSource): Diagnostic[] {
  const asTemplate = {
    inputs: a.params,
    operations: a.steps,
    proofs: a.probes,
  } as unknown as TemplateManifest;
  const fix = (path: readonly (string | number)[]) =>
    path[0] === "operations"
      ? ["steps", ...path.slice(1)]
      : path[0] === "proofs"
        ? ["probes", ...path.slice(1)]
        : path;
  const language = languageStage(src.file, asTemplate, new Map(), {
    ...src,
    locate: (path, target) => src.locate(fix(path), target),
  });
  if (language.length > 0) return language;
  const issues = checkStepsStatic(asTemplate, new Map());
  if (issues.length > 0)
    return issues.map((i) => ({
      code: i.code,
      severity: "error",
      message: i.message,
      location: src.locate(fix(i.path)),
    }));
  try {
    const self = new Map([[a.action_id, a]]);
    const use = {
      actions: [{ action: a.action_id, params: a.sample_params }],
    } as unknown as TemplateManifest;
    const r = expandActions(
      use,
      self,
      scopeOf({ inputs: { properties: {} } } as unknown as TemplateManifest, {}),
      src.file,
    );
    if ("code" in r)
      return [
        {
          code: r.code,
          severity: "error",
          message: `with sample_params: ${r.message}`,
          location: src.locate(["sample_params"]),
        },
      ];
  } catch (e) {
    if (!(e instanceof PlumbError)) throw e;
    return [
      {
        code: e.code,
        severity: "error",
        message: `with sample_params: ${e.message}`,
        location: src.locate(["sample_params"]),
      },
    ];
  }
  return [];
}
