// Issue 9 item 3 (regressions): every escape the issue lists passed the gatekeeper on the old
// main (only a separate `-c` was checked, BOM paths were not checked after rendering, and
// executable scripts were scanned for a few forms only). Each is now refused with its code.
import { describe, expect, it } from "vitest";
import type { LintDriver } from "../../core/io/lint-driver.js";
import type { TemplateEntry } from "../../core/io/read-templates.js";
import { forge } from "../../generators/contract/hfc.js";
import { checkTemplates } from "../../validators/templates/gatekeeper.js";
import { renderLock } from "../../validators/templates/tree-hash.js";

const enc = new TextEncoder();
const file = (rel: string, text: string): TemplateEntry => ({
  rel,
  kind: "file",
  size: enc.encode(text).length,
  executable: false,
  bytes: enc.encode(text),
});
const lint: LintDriver = { bashSyntax: async () => undefined, shellcheck: async () => [] };

const HEAD = `slug: esc
version: 1.0.0
description: escape attempt
inputs:
  type: object
  additionalProperties: false
  properties:
    msg: {type: string}
    name: {type: string}
sample_inputs: {msg: "id > /tmp/pwned", name: site}
`;

/** Runs every gatekeeper stage on a one-template folder whose lock matches. */
async function gate(yml: string, files: Record<string, string> = { "f.njk": "x" }) {
  const entries = [
    file("template.yml", HEAD + yml),
    ...Object.entries(files).map(([k, v]) => file(`files/${k}`, v)),
  ];
  const folder = { name: "esc", dir: "templates/esc", entries };
  const first = await checkTemplates([folder], undefined, "templates.lock", lint, ["manifest"]);
  const r = await checkTemplates([folder], renderLock(first.hashes), "templates.lock", lint);
  return { codes: r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code), r };
}
const BOM = "bom:\n  - {path: /etc/esc.conf, source: f.njk}\n";

describe("issue 9.3: operations cannot escape the gatekeeper", () => {
  it("run: {argv: [bash, -ec, '{{ msg }}']} — run is gone, and bash is never a command", async () => {
    const old = await gate(`${BOM}operations:\n  - run: {argv: [bash, -ec, "{{ msg }}"]}\n`);
    expect(old.codes.length).toBeGreaterThan(0);
    expect(old.r.templates).toEqual([]);
    const now = await gate(
      `${BOM}operations:\n  - command: {exec: bash, args: [-ec, "{{ msg }}"]}\n`,
    );
    expect(now.codes).toEqual(["PLB825"]);
  });

  for (const [what, step] of [
    ["env sh -c", "{exec: env, args: [sh, -c, '{{ msg }}']}"],
    ["python3 -c", "{exec: python3, args: [-c, '{{ msg }}']}"],
    ["find -exec sh -c", "{exec: find, args: [/, -exec, sh, -c, '{{ msg }}', ';']}"],
    ["xargs", "{exec: xargs, args: [sh, -c]}"],
    ["perl -e", "{exec: perl, args: [-e, '{{ msg }}']}"],
    ["cp /etc/hostname …", "{exec: cp, args: [/etc/hostname, /var/www/x]}"],
    ["tee /root/.ssh/authorized_keys", "{exec: tee, args: [/root/.ssh/authorized_keys]}"],
    ["an absolute interpreter path", "{exec: /usr/bin/python3, args: [-c, x]}"],
  ] as const) {
    it(`${what} is refused as a command (PLB825)`, async () => {
      expect((await gate(`${BOM}operations:\n  - command: ${step}\n`)).codes).toEqual(["PLB825"]);
      expect((await gate(`${BOM}proofs:\n  - command: ${step}\n`)).codes).toEqual(["PLB825"]);
    });
  }

  it("an input in an allowlisted command's argument cannot become an option or code (PLB826)", async () => {
    const step = "operations:\n  - command: {exec: a2ensite, args: ['{{ msg }}']}\n";
    expect((await gate(BOM + step)).codes).toEqual(["PLB826"]);
  });

  it("BOM path from an input: name=../../../tmp/x writes outside the BOM root (PLB824)", async () => {
    const yml = "bom:\n  - {path: '/etc/esc/{{ name }}.conf', source: f.njk}\n";
    expect((await gate(yml)).codes).toEqual([]);
    // sample msg is "id > /tmp/pwned": rendered into the path it leaves plain name segments
    const r = await gate(yml.replace("{{ name }}", "{{ msg }}"));
    expect(r.codes).toEqual(["PLB824"]);
    const folder = (await gate(yml)).r.templates[0];
    expect(() =>
      forge(folder as NonNullable<typeof folder>, {
        target: "t",
        inputs: { msg: "m", name: "../../../tmp/x" },
        gitCommit: null,
        createdAt: "2026-01-01T00:00:00Z",
      }),
    ).toThrow(expect.objectContaining({ code: "PLB824" }));
  });

  it("a BOM file at /root/.ssh/authorized_keys or /etc/sudoers.d is refused (PLB824)", async () => {
    for (const path of [
      "/root/.ssh/authorized_keys",
      "/etc/sudoers.d/esc",
      "/home/u/.ssh/authorized_keys",
    ])
      expect((await gate(`bom:\n  - {path: ${path}, source: f.njk}\n`)).codes).toEqual(["PLB824"]);
  });

  it("chmod 4755 as a BOM mode or directory mode (PLB827)", async () => {
    expect(
      (await gate("bom:\n  - {path: /etc/esc, source: f.njk, mode: '4755'}\n")).codes,
    ).toContain("PLB827");
    expect(
      (await gate(`${BOM}operations:\n  - directory: {path: /srv/esc, mode: '2775'}\n`)).codes,
    ).toEqual(["PLB827"]);
  });

  it("an executable asset must be declared (PLB828) and may not render inputs (PLB829)", async () => {
    expect(
      (await gate("bom:\n  - {path: /usr/local/bin/esc, source: f.njk, mode: '0755'}\n")).codes,
    ).toEqual(["PLB828"]);
    const yml = "bom:\n  - {path: /usr/local/bin/esc, source: f.sh, executable: true}\n";
    expect((await gate(yml, { "f.sh": "#!/bin/bash\necho {{ msg }}\n" })).codes).toEqual([
      "PLB829",
    ]);
  });

  const asset =
    "bom:\n  - {path: /usr/local/bin/esc, source: f.sh, executable: true}\n  - {path: /etc/esc.conf, source: f.njk}\n";
  for (const [what, line, code] of [
    ["dd of=", "dd if=/dev/zero of=/etc/shadow bs=1 count=1", "PLB860"],
    ["sed -i", "sed -i 's/x/y/' /etc/ssh/sshd_config", "PLB860"],
    ["a write through a variable path", 'f=/etc/passwd; echo x >> "$f"', "PLB860"],
    ["cp /etc/hostname …", "cp /etc/hostname /var/www/leak", "PLB860"],
    ["tee /root/.ssh/authorized_keys", "echo key | tee /root/.ssh/authorized_keys", "PLB860"],
    ["chmod 4755", "chmod 4755 /usr/local/bin/esc", "PLB859"],
    ["chmod u+s", "chmod u+s /usr/local/bin/esc", "PLB859"],
    ["an assembled eval", 'a=ev; b=al; "$a$b" "$1"', "PLB859"],
    ["eval", 'eval "$1"', "PLB859"],
    ["sh -c with a string", 'bash -ec "$1"', "PLB859"],
    ["env sh -c", 'env sh -c "$1"', "PLB859"],
    ["python3 -c", 'python3 -c "$1"', "PLB859"],
    ["find -exec", "find / -name x -exec sh -c 'id' \\;", "PLB859"],
  ] as const) {
    it(`executable asset: ${what} is flagged (${code})`, async () => {
      const r = await gate(asset, { "f.sh": `#!/bin/bash\nset -eu\n${line}\n`, "f.njk": "x" });
      expect(r.codes).toContain(code);
      const d = r.r.diagnostics.find((x) => x.code === code);
      expect(d?.location).toEqual({ file: "templates/esc/files/f.sh", line: 3, column: 1 });
    });
  }

  it("the same asset without those lines passes (the checks are not blanket refusals)", async () => {
    const r = await gate(asset, {
      "f.sh":
        '#!/bin/bash\nset -eu\necho "hello $1" > /etc/esc.conf\nprintf "%s\\n" ok >/dev/null\n',
      "f.njk": "x",
    });
    expect(r.codes).toEqual([]);
    expect(r.r.templates[0]?.manifest.slug).toBe("esc");
  });
});
