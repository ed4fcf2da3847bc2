// The template gatekeeper, stages like a hot-plug gatekeeper:
//   1 manifest  template.yml parses and matches the template schema; slug = folder name
//   2 assets    every bom source exists inside files/; no `..`, no symlinks; sizes bounded
//   3 hash      the folder's content hash equals templates.lock — checked before anything
//               renders: logic is skipped for a template whose hash does not match
//   4 language  every rendered text parses and passes the restricted-language allowlist
//   5 logic     rendered with sample_inputs, the compiled script passes bash -n and shellcheck
//               (warning level); no forbidden patterns; executable files write only BOM paths
// (`plumb templates lock` runs every stage but hash, after a human reviewed the change.)
// Pure: file contents come in (core/io/read-templates.ts), bash/shellcheck run behind LintDriver.
import { createRequire } from "node:module";
import type { Diagnostic, JsonPath } from "../../core/diagnostics.js";
import type { LintDriver } from "../../core/io/lint-driver.js";
import type { TemplateFolder } from "../../core/io/read-templates.js";
import { MAX_TEMPLATE_FILE, MAX_TEMPLATE_TOTAL } from "../../core/io/read-templates.js";
import type { CatalogAction } from "../../core/model/action.js";
import type { TemplateManifest } from "../../core/model/template.js";
import { parseYamlSource, type YamlSource } from "../../core/source/yaml-source.js";
import type { TemplateSource } from "../../generators/contract/hfc.js";
import { schemaErrorsToDiagnostics } from "../schema-check.js";
import { templateSchema } from "../template-schema.js";
import { languageStage } from "./language-stage.js";
import { logicStage } from "./logic-stage.js";
import { parseLock, treeHash } from "./tree-hash.js";

export type Stage = "manifest" | "assets" | "logic" | "hash";
export const STAGES: readonly Stage[] = ["manifest", "assets", "logic", "hash"];

export interface GatekeeperResult {
  readonly diagnostics: Diagnostic[];
  /** Templates that passed every stage run. */
  readonly templates: TemplateSource[];
  /** Folder name → content hash (every folder, for `plumb templates lock`). */
  readonly hashes: Map<string, string>;
  /** The parsed template.yml sources, for showing source lines. */
  readonly sources: Map<string, YamlSource>;
}

const require = createRequire(import.meta.url);
type Validate = ((d: unknown) => boolean) & { errors?: import("ajv").ErrorObject[] | null };
let validateManifest: Validate | undefined;

function manifestValidator(): Validate {
  if (!validateManifest) {
    const { Ajv2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
    validateManifest = new Ajv2020({
      allErrors: true,
      strict: true,
      verbose: true,
      allowUnionTypes: true,
    }).compile(templateSchema) as Validate;
  }
  return validateManifest;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

export async function checkTemplates(
  folders: readonly TemplateFolder[],
  lockText: string | undefined,
  lockPath: string,
  lint: LintDriver,
  stages: readonly Stage[] = STAGES,
  catalog: ReadonlyMap<string, CatalogAction> = new Map(),
): Promise<GatekeeperResult> {
  const diagnostics: Diagnostic[] = [];
  const templates: TemplateSource[] = [];
  const hashes = new Map<string, string>();
  const sources = new Map<string, YamlSource>();

  for (const folder of folders) {
    const manifestPath = `${folder.dir}/template.yml`;
    const entry = folder.entries.find((e) => e.rel === "template.yml");
    const src = parseYamlSource(
      entry?.bytes ?? new Uint8Array(),
      manifestPath,
      entry?.bytes ? undefined : entry?.size,
    );
    sources.set(manifestPath, src);
    const found: Diagnostic[] = [...src.diagnostics];
    const at = (path: JsonPath, target: "key" | "value" = "value") => src.locate(path, target);
    const push = (d: Omit<Diagnostic, "location"> & { path?: JsonPath }) =>
      found.push({ ...d, location: at(d.path ?? [], d.target) });
    hashes.set(
      folder.name,
      treeHash(
        folder.entries.map((e) => ({
          rel: e.rel,
          executable: e.executable,
          bytes: e.bytes ?? new TextEncoder().encode(`${e.kind}:${e.size}:${e.linkTarget ?? ""}`),
        })),
      ),
    );

    // 1. manifest
    const manifest = src.value as TemplateManifest | undefined;
    if (
      src.value !== undefined &&
      (src.value === null || typeof src.value !== "object" || Array.isArray(src.value))
    ) {
      push({
        code: "PLB850",
        severity: "error",
        message: "template.yml must be a mapping",
        path: [],
      });
    } else if (manifest) {
      const validate = manifestValidator();
      if (!validate(manifest)) {
        for (const d of schemaErrorsToDiagnostics(validate.errors ?? [], manifest)) {
          found.push({ ...d, location: at(d.path ?? [], d.target) });
        }
      }
      if (typeof manifest.slug === "string" && manifest.slug !== folder.name) {
        push({
          code: "PLB851",
          severity: "error",
          message: `slug '${manifest.slug}' differs from the folder name '${folder.name}'`,
          hint: `rename the folder or set slug: ${folder.name}`,
          path: ["slug"],
        });
      }
    }
    const manifestOk = manifest !== undefined && !found.some((d) => d.severity === "error");

    // 2. assets
    const files = new Map<string, string>();
    let total = 0;
    if (stages.includes("assets")) {
      for (const e of folder.entries) {
        total += e.size;
        if (e.kind === "symlink")
          push({
            code: "PLB854",
            severity: "error",
            message: `${folder.dir}/${e.rel} is a symbolic link (to ${e.linkTarget})`,
            hint: "replace the link by the file itself",
            path: ["bom"],
          });
        else if (e.kind === "other")
          push({
            code: "PLB854",
            severity: "error",
            message: `${folder.dir}/${e.rel} is not a regular file`,
            path: ["bom"],
          });
        else if (e.size > MAX_TEMPLATE_FILE)
          push({
            code: "PLB855",
            severity: "error",
            message: `${folder.dir}/${e.rel} has ${e.size} bytes (limit ${MAX_TEMPLATE_FILE})`,
            path: ["bom"],
          });
        else if (e.rel.startsWith("files/") && e.bytes) {
          try {
            const text = decoder.decode(e.bytes);
            if (text.includes("\u0000"))
              push({
                code: "PLB852",
                severity: "error",
                message: `${folder.dir}/${e.rel} contains NUL bytes (binary files are not supported)`,
                path: ["bom"],
              });
            else files.set(e.rel.slice("files/".length), text);
          } catch {
            push({
              code: "PLB003",
              severity: "error",
              message: `${folder.dir}/${e.rel} is not valid UTF-8`,
              path: ["bom"],
            });
          }
        }
      }
      if (total > MAX_TEMPLATE_TOTAL)
        push({
          code: "PLB855",
          severity: "error",
          message: `${folder.dir} holds ${total} bytes (limit ${MAX_TEMPLATE_TOTAL})`,
          path: [],
        });
      if (manifestOk) {
        const used = new Set<string>();
        (manifest.bom ?? []).forEach((b, i) => {
          const norm = b.source.split("/");
          if (b.source.startsWith("/") || norm.includes("..") || norm.includes(".")) {
            push({
              code: "PLB854",
              severity: "error",
              message: `bom[${i}].source '${b.source}' leaves the files/ folder`,
              hint: "give a path relative to files/, without '..'",
              path: ["bom", i, "source"],
            });
          } else if (!folder.entries.some((e) => e.rel === `files/${b.source}`)) {
            push({
              code: "PLB853",
              severity: "error",
              message: `bom[${i}].source: ${folder.dir}/files/${b.source} does not exist`,
              path: ["bom", i, "source"],
            });
          }
          used.add(b.source);
        });
        for (const rel of files.keys()) {
          if (!used.has(rel))
            push({
              code: "PLB868",
              severity: "warning",
              message: `${folder.dir}/files/${rel} is not used by any bom entry`,
              hint: "remove it or reference it in bom",
              path: ["bom"],
            });
        }
      }
    }

    const structuralOk = manifestOk && !found.some((d) => d.severity === "error");
    // 3. hash — before anything renders: an unlocked (unreviewed) template is never rendered.
    let hashOk = true;
    if (stages.includes("hash")) {
      const lock = lockText === undefined ? undefined : parseLock(lockText);
      const hash = hashes.get(folder.name) as string;
      if (typeof lock === "string") {
        hashOk = false;
        found.push({
          code: "PLB862",
          severity: "error",
          message: `${lockPath}: ${lock}`,
          hint: "run `plumb templates lock`",
          location: { file: lockPath, line: 1, column: 1 },
        });
      } else if (lock?.templates[folder.name] !== hash) {
        hashOk = false;
        const why =
          lock === undefined
            ? `${lockPath} does not exist`
            : lock.templates[folder.name] === undefined
              ? `'${folder.name}' is not in ${lockPath}`
              : `its content hash ${hash.slice(0, 19)}… differs from ${lockPath}`;
        push({
          code: "PLB861",
          severity: "error",
          message: `template '${folder.name}' changed: ${why}`,
          hint: "review the change, then run `plumb templates lock` and commit templates.lock",
          path: ["slug"],
        });
      }
    }

    // 4. language (parse only) and 5. logic (render with sample_inputs, lint)
    if (stages.includes("logic") && structuralOk) {
      const language = languageStage(folder.dir, manifest, files, src);
      found.push(...language);
      if (language.length === 0 && hashOk)
        found.push(
          ...(await logicStage(
            folder,
            manifest,
            files,
            hashes.get(folder.name) as string,
            lint,
            at,
            catalog,
          )),
        );
    }

    diagnostics.push(...found);
    if (manifestOk && !found.some((d) => d.severity === "error")) {
      templates.push({
        dir: folder.dir,
        manifest,
        files,
        treeHash: hashes.get(folder.name) as string,
        catalog,
      });
    }
  }

  if (stages.includes("hash") && lockText !== undefined) {
    const lock = parseLock(lockText);
    if (typeof lock !== "string") {
      for (const name of Object.keys(lock.templates)) {
        if (!folders.some((f) => f.name === name)) {
          diagnostics.push({
            code: "PLB861",
            severity: "error",
            message: `${lockPath} lists '${name}', which no longer exists under templates/`,
            hint: "run `plumb templates lock`",
            location: { file: lockPath, line: 1, column: 1 },
          });
        }
      }
    }
  }
  return { diagnostics, templates, hashes, sources };
}
