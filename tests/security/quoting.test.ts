// Issue 9 item 4: every value that reaches a compiled contract goes through the one quoting
// function (core/shell/quote.ts) — target, ids, names, template, commit, inputs, paths, modes,
// argv. Property: an HFC with an arbitrary string (injection payloads and random text) in any
// one field compiles to a script that passes `bash -n`, and running it in real bash (staged
// under PLUMB_DESTDIR, package and service tools stubbed) never creates the canary file.

import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gate, Operation, Proof } from "../../core/model/template.js";
import { compileBash } from "../../generators/contract/compile-bash.js";
import type { Hfc } from "../../generators/contract/hfc.js";

let dir: string;
let canary: string;
let stubs: string;

const payloads = () => [
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `'; touch ${canary}; '`,
  `"; touch ${canary}; "`,
  `\ntouch ${canary} #`,
  `evil\ntouch ${canary} #`,
  `x'\ntouch ${canary}\n'`,
  `\\'$(touch ${canary})`,
  `$'\\ntouch ${canary}'`,
  `\r\ntouch ${canary}\r\n`,
  `}; touch ${canary}; {`,
  `EOF\ntouch ${canary}\nEOF`,
];

const FIELDS = [
  "id",
  "template",
  "template_hash",
  "target",
  "git_commit",
  "gate.command_exists",
  "gate.file_exists",
  "gate.os_family",
  "bom.path",
  "bom.mode",
  "bom.owner",
  "bom.content",
  "op.service.name",
  "op.apt",
  "op.symlink",
  "op.mkdir",
  "op.mkdir.mode",
  "op.mkdir.owner",
  "op.run.arg",
  "proof.file_contains",
  "proof.command.arg",
  "proof.stdout_contains",
  "proof.service_active",
  "proof.package_installed",
] as const;

function hfcWith(
  field: (typeof FIELDS)[number],
  v: string,
): { hfc: Hfc; contents: Map<string, string> } {
  const header = {
    id: "c-000000000000000000000000",
    version: 1 as const,
    template: "t@1.0.0",
    template_hash: "sha256:00",
    risk: "low" as const,
    target: "t1",
    created_at: "2026-01-01T00:00:00Z",
    git_commit: null as string | null,
    inputs: {},
  };
  const h =
    field === "id" ||
    field === "template" ||
    field === "template_hash" ||
    field === "target" ||
    field === "git_commit";
  const gates: Gate[] = [];
  const bom: Hfc["bom"][number][] = [];
  const operations: Operation[] = [];
  const proofs: Proof[] = [];
  const contents = new Map<string, string>();
  if (h) (header as Record<string, unknown>)[field] = v;
  if (field === "gate.command_exists") gates.push({ command_exists: v });
  if (field === "gate.file_exists") gates.push({ file_exists: `/${v}` });
  if (field === "gate.os_family") gates.push({ os_family: [v] });
  if (field.startsWith("bom.")) {
    const path = field === "bom.path" ? `/srv/${v}` : "/srv/x";
    const content = field === "bom.content" ? v : "x";
    contents.set(path, content);
    bom.push({
      path,
      source: "x.njk",
      mode: field === "bom.mode" ? v : "0644",
      owner: field === "bom.owner" ? v : "root",
      group: "root",
      size: Buffer.byteLength(content),
      sha256: "0".repeat(64),
    });
  }
  if (field === "op.service.name") operations.push({ service: { name: v, action: "restart" } });
  if (field === "op.apt") operations.push({ apt_install: [v] });
  if (field === "op.symlink") operations.push({ symlink: { target: v, link: `/srv/${v}` } });
  if (field === "op.mkdir") operations.push({ directory: { path: `/srv/${v}` } });
  if (field === "op.mkdir.mode") operations.push({ directory: { path: "/srv/d", mode: v } });
  if (field === "op.mkdir.owner") operations.push({ directory: { path: "/srv/d", owner: v } });
  if (field === "op.run.arg") operations.push({ command: { exec: "printf", args: ["%s\\n", v] } });
  if (field === "proof.file_contains")
    proofs.push({ file_contains: { path: `/srv/${v}`, text: v } });
  if (field === "proof.command.arg") proofs.push({ command: { exec: "printf", args: ["%s", v] } });
  if (field === "proof.stdout_contains")
    proofs.push({ command: { exec: "printf", args: ["%s", "x"], stdout_contains: v } });
  if (field === "proof.package_installed") proofs.push({ package_installed: v });
  if (field === "proof.service_active") proofs.push({ service_active: v });
  return { hfc: { hfc: 1, header, gates, bom, operations, actions: [], proofs }, contents };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "plumb-quoting-"));
  canary = join(dir, "CANARY");
  stubs = join(dir, "stubs");
  mkdirSync(stubs);
  // Tools that would change the host: recorded, never run.
  for (const tool of ["apt-get", "dpkg-query", "systemctl", "service", "update-rc.d", "chown"]) {
    writeFileSync(join(stubs, tool), "#!/bin/sh\nexit 0\n");
    chmodSync(join(stubs, tool), 0o755);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function run(script: string) {
  const d = join(dir, `run-${++n}`);
  mkdirSync(d);
  const file = join(d, "contract.sh");
  writeFileSync(file, script);
  const syntax = spawnSync("bash", ["-n", file], { encoding: "utf8" });
  const r = spawnSync("bash", [file], {
    encoding: "utf8",
    cwd: d,
    env: { PATH: `${stubs}:/usr/bin:/bin`, PLUMB_DESTDIR: join(d, "dest"), HOME: d },
    timeout: 20_000,
  });
  rmSync(d, { recursive: true, force: true });
  return { syntax: syntax.status, code: r.status };
}

describe("one quoting path: arbitrary strings in every field never run as code", () => {
  it("every injection payload in every field", () => {
    // Quoting is all or nothing per value, so one run per field carries every payload at once.
    const all = payloads().join("");
    for (const field of FIELDS) {
      const { hfc, contents } = hfcWith(field, all);
      const r = run(compileBash(hfc, contents));
      expect(r.syntax, field).toBe(0);
      expect(existsSync(canary), `${field}: a payload ran`).toBe(false);
    }
  }, 120_000);

  it("property: random text mixed with payloads in a random field", () => {
    const text = fc
      .string({ unit: "binary", maxLength: 40 })
      .filter((s) => !s.includes("\u0000") && s.isWellFormed());
    fc.assert(
      fc.property(
        fc.constantFrom(...FIELDS),
        fc.tuple(text, fc.constantFrom(...payloads()), text).map((xs) => xs.join("")),
        (field, v) => {
          const { hfc, contents } = hfcWith(field, v);
          const r = run(compileBash(hfc, contents));
          expect(r.syntax).toBe(0);
          expect(existsSync(canary)).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  }, 180_000);

  it("the target reaches the script as data: the log line holds it byte for byte", () => {
    const target = `evil\ntouch ${canary} #'"$x`;
    const { hfc, contents } = hfcWith("target", target);
    const d = join(dir, "log");
    mkdirSync(d);
    writeFileSync(join(d, "c.sh"), compileBash(hfc, contents));
    spawnSync("bash", [join(d, "c.sh")], {
      env: { PATH: `${stubs}:/usr/bin:/bin`, PLUMB_DESTDIR: join(d, "dest") },
    });
    const log = readFileSync(
      join(d, "dest", "var", "log", "plumb", `${hfc.header.id}.log`),
      "utf8",
    );
    expect(log).toContain(`for ${target}: start`);
    expect(existsSync(canary)).toBe(false);
  });
});
