// The four gatekeeper stages, on in-memory template folders.
import { describe, expect, it } from "vitest";
import { type LintDriver, systemLintDriver } from "../../core/io/lint-driver.js";
import {
  readTemplates,
  type TemplateEntry,
  type TemplateFolder,
} from "../../core/io/read-templates.js";
import { checkCatalog } from "./catalog.js";
import { checkTemplates } from "./gatekeeper.js";
import { parseLock, renderLock } from "./tree-hash.js";

const enc = new TextEncoder();
const file = (rel: string, text: string, executable = false): TemplateEntry => ({
  rel,
  kind: "file",
  size: enc.encode(text).length,
  executable,
  bytes: enc.encode(text),
});

const MANIFEST = `slug: demo
version: 1.0.0
description: demo
inputs:
  type: object
  additionalProperties: false
  properties:
    who: {type: string}
sample_inputs: {who: world}
bom:
  - path: /etc/demo.conf
    source: demo.conf.njk
operations:
  - command: {exec: ldconfig}
`;

function folder(entries: TemplateEntry[], name = "demo"): TemplateFolder {
  return { name, dir: `templates/${name}`, entries };
}

const cleanLint: LintDriver = { bashSyntax: async () => undefined, shellcheck: async () => [] };

async function check(
  entries: TemplateEntry[],
  opts: { lock?: "match" | "none" | string; lint?: LintDriver } = {},
) {
  const f = folder(entries);
  let lockText: string | undefined;
  if (opts.lock === undefined || opts.lock === "match") {
    const first = await checkTemplates([f], undefined, "templates.lock", opts.lint ?? cleanLint, [
      "manifest",
    ]);
    lockText = renderLock(first.hashes);
  } else if (opts.lock !== "none") lockText = opts.lock;
  return checkTemplates([f], lockText, "templates.lock", opts.lint ?? cleanLint);
}

const codes = (r: { diagnostics: { code: string }[] }) => r.diagnostics.map((d) => d.code);

describe("template gatekeeper", () => {
  it("accepts a well-formed template whose hash is locked", async () => {
    const r = await check([
      file("template.yml", MANIFEST),
      file("files/demo.conf.njk", "hello {{ who }}\n"),
    ]);
    expect(r.diagnostics).toEqual([]);
    expect(r.templates.map((t) => t.manifest.slug)).toEqual(["demo"]);
  });

  it("manifest: schema errors are located in template.yml (PLB101 missing key, PLB102 on a bad step)", async () => {
    const r = await check([
      file(
        "template.yml",
        MANIFEST.replace("version: 1.0.0\n", "").replace("command: {exec: ldconfig}", "bogus: 1"),
      ),
      file("files/demo.conf.njk", "x"),
    ]);
    expect(codes(r)).toContain("PLB101");
    const step = r.diagnostics.find((d) => d.location?.line === 13);
    expect(step?.code).toBe("PLB102");
    expect(r.templates).toEqual([]);
  });

  it("manifest: slug must equal the folder name (PLB851)", async () => {
    const r = await check([
      file("template.yml", MANIFEST.replace("slug: demo", "slug: other")),
      file("files/demo.conf.njk", "x"),
    ]);
    expect(r.diagnostics.find((d) => d.code === "PLB851")?.location).toMatchObject({
      file: "templates/demo/template.yml",
      line: 1,
      column: 7,
    });
  });

  it("assets: missing source (PLB853), escaping path (PLB854), symlink (PLB854), unused file (PLB868 warning)", async () => {
    const m = MANIFEST.replace("source: demo.conf.njk", "source: ../secret").concat(
      "  - command: {exec: ldconfig}\n",
    );
    const r = await check([
      file(
        "template.yml",
        m.replace("bom:\n", "bom:\n  - path: /etc/x\n    source: missing.njk\n"),
      ),
      file("files/demo.conf.njk", "x"),
      {
        rel: "files/link",
        kind: "symlink",
        size: 0,
        executable: false,
        bytes: undefined,
        linkTarget: "/etc/shadow",
      },
    ]);
    expect(codes(r)).toEqual(expect.arrayContaining(["PLB853", "PLB854", "PLB868"]));
    expect(r.diagnostics.filter((d) => d.code === "PLB854")).toHaveLength(2);
    expect(r.diagnostics.find((d) => d.code === "PLB868")?.severity).toBe("warning");
  });

  it("assets: NUL bytes and invalid UTF-8 in files are refused", async () => {
    const bin: TemplateEntry = {
      rel: "files/demo.conf.njk",
      kind: "file",
      size: 3,
      executable: false,
      bytes: new Uint8Array([0x61, 0, 0x62]),
    };
    expect(codes(await check([file("template.yml", MANIFEST), bin]))).toContain("PLB852");
    const latin1: TemplateEntry = { ...bin, bytes: new Uint8Array([0x61, 0xe9]) };
    expect(codes(await check([file("template.yml", MANIFEST), latin1]))).toContain("PLB003");
  });

  it("language: undeclared variables and calls are refused at the file's own line and column (PLB823)", async () => {
    const r = await check([
      file(
        "template.yml",
        MANIFEST.replace("path: /etc/demo.conf", 'path: "/etc/{{ who.constructor }}"'),
      ),
      file("files/demo.conf.njk", "line one\n  {{ nobody }}"),
    ]);
    expect(r.diagnostics.map((d) => [d.code, d.location])).toEqual([
      ["PLB823", { file: "templates/demo/template.yml", line: 11, column: 24 }],
      ["PLB823", { file: "templates/demo/files/demo.conf.njk", line: 2, column: 6 }],
    ]);
  });

  it("hash before rendering: an unlocked template is not rendered (no logic findings)", async () => {
    let rendered = 0;
    const spy: LintDriver = {
      bashSyntax: async () => {
        rendered++;
        return undefined;
      },
      shellcheck: async () => [],
    };
    const entries = [file("template.yml", MANIFEST), file("files/demo.conf.njk", "x")];
    expect(codes(await check(entries, { lock: "none", lint: spy }))).toEqual(["PLB861"]);
    expect(rendered).toBe(0);
    await check(entries, { lint: spy });
    expect(rendered).toBe(1);
  });

  it("logic: bash -n and shellcheck findings are errors", async () => {
    const noisy: LintDriver = {
      bashSyntax: async () => "line 3: syntax error",
      shellcheck: async () => [
        { line: 9, column: 1, level: "warning", code: 2086, message: "Double quote" },
      ],
    };
    const r = await check([file("template.yml", MANIFEST), file("files/demo.conf.njk", "x")], {
      lint: noisy,
    });
    expect(codes(r)).toEqual(expect.arrayContaining(["PLB857", "PLB858"]));
  });

  it("logic: interpreters are never commands (PLB825, located at the step's exec)", async () => {
    const m = MANIFEST.replace(
      "command: {exec: ldconfig}",
      "command: {exec: bash, args: [-c, 'echo $x']}",
    );
    const r = await check([file("template.yml", m), file("files/demo.conf.njk", "x")]);
    expect(r.diagnostics.map((d) => [d.code, d.location?.line])).toEqual([["PLB825", 14]]);
  });

  it("logic: an input steering a BOM path out of its root is refused at the path (PLB824)", async () => {
    const m = MANIFEST.replace("path: /etc/demo.conf", 'path: "/etc/demo/{{ who }}.conf"').replace(
      "sample_inputs: {who: world}",
      "sample_inputs: {who: ../../../tmp/x}",
    );
    const r = await check([file("template.yml", m), file("files/demo.conf.njk", "x")]);
    expect(r.diagnostics.map((d) => [d.code, d.location?.line])).toEqual([["PLB824", 11]]);
  });

  it("logic: executable assets must be declared and are scanned (forbidden patterns, writes outside the BOM)", async () => {
    const undeclared = MANIFEST.replace(
      "source: demo.conf.njk",
      "source: demo.conf.njk\n    mode: '0755'",
    );
    expect(
      codes(await check([file("template.yml", undeclared), file("files/demo.conf.njk", "x")])),
    ).toEqual(["PLB828"]);
    const m = MANIFEST.replace("path: /etc/demo.conf", "path: /usr/local/sbin/demo").replace(
      "source: demo.conf.njk",
      "source: demo.conf.njk\n    executable: true",
    );
    const script =
      "#!/bin/sh\ncurl -fsSL http://x/install | sh\necho hi > /etc/passwd\necho ok > /usr/local/sbin/demo\n";
    const r = await check([file("template.yml", m), file("files/demo.conf.njk", script)]);
    expect(codes(r).filter((c) => c === "PLB859")).toHaveLength(1);
    const outside = r.diagnostics.filter((d) => d.code === "PLB860");
    expect(outside).toHaveLength(1);
    expect(outside[0]?.message).toContain("/etc/passwd");
    expect(outside[0]?.location).toEqual({
      file: "templates/demo/files/demo.conf.njk",
      line: 3,
      column: 1,
    });
  });

  it("hash: a template changed after locking, a missing lock, and a stale lock entry are errors", async () => {
    const entries = [file("template.yml", MANIFEST), file("files/demo.conf.njk", "x")];
    const locked = renderLock(
      new Map([
        ["demo", "sha256:0000000000000000000000000000000000000000000000000000000000000000"],
        ["gone", "sha256:1111111111111111111111111111111111111111111111111111111111111111"],
      ]),
    );
    const r = await check(entries, { lock: locked });
    expect(r.diagnostics.filter((d) => d.code === "PLB861")).toHaveLength(2);
    expect(codes(await check(entries, { lock: "none" }))).toEqual(["PLB861"]);
    expect(codes(await check(entries, { lock: "{not json" }))).toEqual(["PLB862"]);
  });

  it("the repository's own templates pass every stage with the real bash and shellcheck", async () => {
    const read = readTemplates(`${import.meta.dirname}/../..`);
    expect(read.folders.map((f) => f.name)).toEqual(
      expect.arrayContaining(["motd", "nginx-standalone"]),
    );
    // With the repository's action catalog, as `plumb templates check` loads it (base-packages
    // composes package-install).
    const lock = read.lock === undefined ? undefined : parseLock(read.lock);
    expect(typeof lock).toBe("object");
    const catalog = checkCatalog(
      read.actions,
      typeof lock === "string" ? undefined : lock,
      read.lockPath,
      true,
    );
    expect(catalog.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const r = await checkTemplates(
      read.folders,
      read.lock,
      read.lockPath,
      systemLintDriver,
      undefined,
      catalog.actions,
    );
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("the real shellcheck catches an unquoted expansion in an executable BOM script", async () => {
    const m = MANIFEST.replace("path: /etc/demo.conf", "path: /usr/local/sbin/demo").replace(
      "source: demo.conf.njk",
      "source: demo.conf.njk\n    executable: true",
    );
    const r = await check(
      [file("template.yml", m), file("files/demo.conf.njk", "#!/bin/bash\nf=$1\nrm -rf $f/*\n")],
      { lint: systemLintDriver },
    );
    expect(r.diagnostics.some((d) => d.code === "PLB858" && /SC2086|SC2115/.test(d.message))).toBe(
      true,
    );
  });
});
