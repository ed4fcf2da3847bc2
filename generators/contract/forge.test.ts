// The forge and the compiled script, exercised with real bash under a staging PLUMB_DESTDIR.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { PlumbError } from "../../core/errors.js";
import type { TemplateManifest } from "../../core/model/template.js";
import { runBash } from "../../tests/kit/bash.js";
import { forge, type TemplateSource } from "./hfc.js";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "plumb-forge-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A template whose BOM file and a proof carry the input `value`; an asset echoes its argument. */
function echoTemplate(extra: Partial<TemplateManifest> = {}): TemplateSource {
  const manifest: TemplateManifest = {
    slug: "echo",
    version: "1.0.0",
    description: "test",
    inputs: {
      type: "object",
      required: ["value"],
      additionalProperties: false,
      properties: { value: { type: "string" } },
    },
    sample_inputs: { value: "x" },
    gates: [{ command_exists: "sha256sum" }],
    bom: [
      { path: "/srv/echo/value.txt", source: "value.njk", mode: "0640" },
      { path: "/usr/local/sbin/echo-check", source: "check.sh", executable: true },
    ],
    operations: [
      { directory: { path: "/srv/echo/data", mode: "0750" } },
      { command: { exec: "/usr/local/sbin/echo-check", args: ["ran"] } },
    ],
    proofs: [],
    ...extra,
  };
  return {
    dir: "templates/echo",
    manifest,
    files: new Map([
      ["value.njk", "{{ value }}"],
      ["check.sh", "#!/bin/bash\nprintf 'ASSET<%s>\\n' \"$1\"\n"],
    ]),
    treeHash: "sha256:00",
  };
}

const options = (value: string) => ({
  target: "t1",
  inputs: { value },
  gitCommit: "abc",
  createdAt: "2026-01-01T00:00:00Z",
});

function runStaged(script: string) {
  const dest = tempDir();
  const r = runBash(script, { env: { PLUMB_DESTDIR: dest } });
  return { ...r, dest };
}

describe("forge", () => {
  it("is deterministic: same template, inputs, target, commit and time give the same bytes", () => {
    const a = forge(echoTemplate(), options("hello"));
    const b = forge(echoTemplate(), options("hello"));
    expect(a.script).toBe(b.script);
    expect(JSON.stringify(a.hfc)).toBe(JSON.stringify(b.hfc));
    expect(forge(echoTemplate(), { ...options("hello"), target: "t2" }).hfc.header.id).not.toBe(
      a.hfc.header.id,
    );
  });

  it("records sha256, size and mode of each BOM file", () => {
    const { hfc } = forge(echoTemplate(), options("abc"));
    expect(hfc.bom[0]).toMatchObject({
      path: "/srv/echo/value.txt",
      mode: "0640",
      size: 3,
      sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    });
  });

  it("refuses inputs that break the template's schema (PLB864) and undeclared variables (PLB823)", () => {
    expect(() =>
      forge(echoTemplate(), { ...options("x"), inputs: { value: "x", other: 1 } }),
    ).toThrow(expect.objectContaining({ code: "PLB864" }));
    expect(() => forge(echoTemplate(), { ...options("x"), inputs: {} })).toThrow(
      expect.objectContaining({ code: "PLB864" }),
    );
    const bad = echoTemplate();
    const files = new Map([...bad.files, ["value.njk", "{{ nope }}"]]);
    expect(() => forge({ ...bad, files }, options("x"))).toThrow(
      expect.objectContaining({ code: "PLB823" }),
    );
  });

  it("runs: writes the BOM file with its mode, logs, and ends with a success result line", () => {
    const { script, hfc } = forge(echoTemplate(), options("hello world"));
    const r = runStaged(script);
    expect(r.code).toBe(0);
    expect(readFileSync(join(r.dest, "srv/echo/value.txt"), "utf8")).toBe("hello world");
    expect(r.stdout).toContain("ASSET<ran>");
    expect(r.stdout).toMatch(
      new RegExp(
        `PLUMB-RESULT \\{"contract":"${hfc.header.id}","status":"success","phase":"finished"`,
      ),
    );
    expect(readFileSync(join(r.dest, "var/log/plumb", `${hfc.header.id}.log`), "utf8")).toContain(
      "success",
    );
  });

  it("a failing gate stops before anything is written", () => {
    const { script } = forge(
      echoTemplate({ gates: [{ file_exists: "/definitely/not/here" }] }),
      options("v"),
    );
    const r = runStaged(script);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/"status":"failed","phase":"gates","step":1/);
    expect(existsSync(join(r.dest, "srv"))).toBe(false);
  });

  it("a failing proof reports the proofs phase", () => {
    const { script } = forge(
      echoTemplate({
        proofs: [{ file_contains: { path: "/srv/echo/value.txt", text: "absent" } }],
      }),
      options("v"),
    );
    const r = runStaged(script);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/"phase":"proofs"/);
  });

  it("a second run leaves unchanged files alone", () => {
    const { script } = forge(echoTemplate(), options("same"));
    const dest = tempDir();
    expect(runBash(script, { env: { PLUMB_DESTDIR: dest } }).code).toBe(0);
    const second = runBash(script, { env: { PLUMB_DESTDIR: dest } });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("unchanged /srv/echo/value.txt");
  });

  it("refuses NUL in an input instead of dropping it (PLB852)", () => {
    expect(() => forge(echoTemplate(), options("a\u0000b"))).toThrow(PlumbError);
  });

  it("property: any input is written byte for byte and never executed", () => {
    const canaryDir = tempDir();
    const canary = join(canaryDir, "pwned");
    const payloads = [
      `$(touch ${canary})`,
      `\`touch ${canary}\``,
      `'; touch ${canary}; '`,
      `"; touch ${canary}; "`,
      `\n touch ${canary}\n`,
      `$(<${canary})`,
    ];
    const value = fc.oneof(
      fc.constantFrom(...payloads),
      fc.string({ unit: "binary" }).filter((s) => !s.includes("\u0000") && s.isWellFormed()),
      fc
        .array(
          fc.constantFrom(
            "$",
            "(",
            ")",
            "`",
            "'",
            '"',
            "\\",
            "\n",
            "*",
            "?",
            "-",
            "~",
            "!",
            " ",
            "{",
            "}",
            ";",
            "|",
            "&",
            "é",
            "x",
          ),
          { maxLength: 30 },
        )
        .map((a) => a.join("")),
    );
    fc.assert(
      fc.property(value, (v) => {
        const { script } = forge(echoTemplate(), options(v));
        const r = runStaged(script);
        expect(r.code).toBe(0);
        expect(readFileSync(join(r.dest, "srv/echo/value.txt"), "utf8")).toBe(v);
        expect(existsSync(canary)).toBe(false);
      }),
      { numRuns: 30 },
    );
  }, 300_000);
});
