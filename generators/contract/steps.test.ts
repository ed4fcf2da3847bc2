// Bounded step types: path rules, the command allowlist, modes and executable assets at forge
// time, and the compiled helpers in real bash (no write follows a symbolic link).
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { TemplateManifest } from "../../core/model/template.js";
import { runBash } from "../../tests/kit/bash.js";
import { checkArgs, checkExec } from "./command-allowlist.js";
import { forge, type TemplateSource } from "./hfc.js";
import { bomRoot, pathProblem } from "./step-paths.js";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "plumb-steps-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function template(
  extra: Partial<TemplateManifest>,
  files: [string, string][] = [["f.njk", "x"]],
): TemplateSource {
  return {
    dir: "templates/t",
    manifest: {
      slug: "t",
      version: "1.0.0",
      description: "t",
      inputs: {
        type: "object",
        additionalProperties: false,
        properties: { name: { type: "string" } },
      },
      sample_inputs: { name: "a" },
      ...extra,
    },
    files: new Map(files),
    treeHash: "sha256:00",
  };
}
const opts = (name: string) => ({
  target: "t1",
  inputs: { name },
  gitCommit: null,
  createdAt: "2026-01-01T00:00:00Z",
});
const codeOf = (f: () => unknown) => {
  try {
    f();
    return "ok";
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
};

describe("paths", () => {
  it("the BOM root is the literal folder before the first expression", () => {
    expect(bomRoot("/etc/nginx/sites-available/{{ d }}")).toBe("/etc/nginx/sites-available/");
    expect(bomRoot("/var/www/{{ d }}/index.html")).toBe("/var/www/");
    expect(bomRoot("/etc/pre{{ d }}")).toBe("/etc/");
    expect(bomRoot("/etc/motd")).toBeUndefined();
  });

  it("refuses traversal, unnormalized, control characters and protected or unlisted places", () => {
    const t = "/etc/app/{{ name }}";
    expect(pathProblem("/etc/app/x.conf", t, "write")).toBeUndefined();
    expect(pathProblem("/etc/app/../../../tmp/x", t, "write")).toContain("not normalized");
    expect(pathProblem("/etc/app/a/./b", t, "write")).toContain("not normalized");
    expect(pathProblem("/etc/app//b", t, "write")).toContain("not normalized");
    expect(pathProblem("/etc/app/a\nb", t, "write")).toContain("control characters");
    expect(pathProblem("/etc/app/$(x)", t, "write")).toContain("plain name segments");
    expect(pathProblem("/etc/other", t, "write")).toContain("leaves its BOM root");
    expect(
      pathProblem("/root/.ssh/authorized_keys", "/root/.ssh/authorized_keys", "write"),
    ).toContain("outside the write allowlist");
    expect(pathProblem("/etc/sudoers.d/x", "/etc/sudoers.d/x", "write")).toContain("protected");
    expect(
      pathProblem("/home/u/.ssh/authorized_keys", "/home/u/.ssh/authorized_keys", "write"),
    ).toBeDefined();
    expect(
      pathProblem("/etc/systemd/system/x.service", "/etc/systemd/system/x.service", "write"),
    ).toContain("protected");
    expect(pathProblem("/usr/bin/ls", "/usr/bin/ls", "write")).toContain("outside");
    expect(pathProblem("/usr/local/sbin/x", "/usr/local/sbin/x", "executable")).toBeUndefined();
    expect(pathProblem("/etc/x", "/etc/x", "executable")).toContain(
      "outside the executable allowlist",
    );
    expect(pathProblem("/etc/shadow", "/etc/shadow", "read")).toBeUndefined();
  });
});

describe("command allowlist", () => {
  const none = new Set<string>();
  it("interpreters and exec wrappers are never commands", () => {
    for (const exec of [
      "sh",
      "bash",
      "/bin/bash",
      "env",
      "python3",
      "python3.11",
      "perl",
      "find",
      "xargs",
      "sudo",
      "awk",
      "node",
      "busybox",
      "tee",
      "cp",
      "dd",
      "sed",
    ])
      expect(checkExec(exec, none, "operation")?.code).toBe("PLB825");
  });
  it("arguments must match a form; slots never take options", () => {
    expect(checkExec("nginx", none, "operation")).toBeUndefined();
    expect(checkArgs("nginx", ["-t"], none, "operation")).toBeUndefined();
    expect(
      checkArgs("nginx", ["-g", "daemon off; load_module /x.so;"], none, "operation")?.code,
    ).toBe("PLB826");
    expect(checkArgs("a2ensite", ["example.com"], none, "operation")).toBeUndefined();
    expect(checkArgs("a2ensite", ["--help"], none, "operation")?.code).toBe("PLB826");
    expect(checkArgs("a2ensite", ["a", "b"], none, "operation")?.code).toBe("PLB826");
    expect(checkExec("curl", none, "operation")?.code).toBe("PLB825");
    expect(
      checkArgs("curl", ["-fsS", "--max-time", "10", "http://127.0.0.1/"], none, "proof"),
    ).toBeUndefined();
    expect(
      checkArgs("curl", ["-fsS", "--max-time", "10", "http://evil.example/"], none, "proof")?.code,
    ).toBe("PLB826");
    expect(checkArgs("nginx", ["-s", "reload"], none, "proof")?.code).toBe("PLB826");
    expect(checkExec("constructor", none, "operation")?.code).toBe("PLB825");
  });
});

describe("forge refuses what steps may not do", () => {
  it("setuid/setgid/sticky modes (PLB827), undeclared executables (PLB828), templated assets (PLB829)", () => {
    expect(
      codeOf(() =>
        forge(template({ bom: [{ path: "/etc/x", source: "f.njk", mode: "4755" }] }), opts("a")),
      ),
    ).toBe("PLB827");
    expect(
      codeOf(() =>
        forge(
          template({ operations: [{ directory: { path: "/srv/x", mode: "2775" } }] }),
          opts("a"),
        ),
      ),
    ).toBe("PLB827");
    expect(
      codeOf(() =>
        forge(template({ bom: [{ path: "/etc/x", source: "f.njk", mode: "0755" }] }), opts("a")),
      ),
    ).toBe("PLB828");
    expect(
      codeOf(() =>
        forge(
          template({ bom: [{ path: "/usr/local/bin/x", source: "f.njk", executable: true }] }, [
            ["f.njk", "echo {{ name }}"],
          ]),
          opts("a"),
        ),
      ),
    ).toBe("PLB829");
    expect(
      codeOf(() =>
        forge(template({ operations: [{ command: { exec: "/usr/local/bin/x" } }] }), opts("a")),
      ),
    ).toBe("PLB825");
  });

  it("an input cannot move a BOM path out of its root (PLB824)", () => {
    const t = template({ bom: [{ path: "/etc/app/{{ name }}.conf", source: "f.njk" }] });
    expect(codeOf(() => forge(t, opts("site")))).toBe("ok");
    expect(codeOf(() => forge(t, opts("../../../tmp/x")))).toBe("PLB824");
    expect(codeOf(() => forge(t, opts("a/../../shadow")))).toBe("PLB824");
  });

  it("an input in a command argument must fit the slot (PLB826)", () => {
    const t = template({ operations: [{ command: { exec: "a2ensite", args: ["{{ name }}"] } }] });
    expect(codeOf(() => forge(t, opts("site")))).toBe("ok");
    expect(codeOf(() => forge(t, opts("-x")))).toBe("PLB826");
    expect(codeOf(() => forge(t, opts("a; rm -rf /")))).toBe("PLB826");
  });

  it("a template with an executable asset is high risk, without one low", () => {
    const low = forge(template({ bom: [{ path: "/etc/x", source: "f.njk" }] }), opts("a"));
    expect(low.hfc.header.risk).toBe("low");
    const high = forge(
      template({ bom: [{ path: "/usr/local/bin/x", source: "f.njk", executable: true }] }),
      opts("a"),
    );
    expect(high.hfc.header.risk).toBe("high");
    expect(high.hfc.bom[0]?.mode).toBe("0755");
  });
});

describe("compiled helpers in real bash: writes never follow symbolic links", () => {
  const staged = (script: string, dest: string) =>
    runBash(script, { env: { PLUMB_DESTDIR: dest } });

  it("a symlinked parent or destination is refused and the target outside stays untouched", () => {
    const outside = tempDir();
    const t = template({ bom: [{ path: "/srv/app/conf", source: "f.njk" }] });
    const { script } = forge(t, opts("a"));
    const dest = tempDir();
    mkdirSync(join(dest, "srv"));
    symlinkSync(outside, join(dest, "srv", "app"));
    const r = staged(script, dest);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("refusing to follow the symbolic link /srv/app");
    expect(existsSync(join(outside, "conf"))).toBe(false);

    const dest2 = tempDir();
    mkdirSync(join(dest2, "srv", "app"), { recursive: true });
    writeFileSync(join(outside, "victim"), "keep");
    symlinkSync(join(outside, "victim"), join(dest2, "srv", "app", "conf"));
    const r2 = staged(script, dest2);
    expect(r2.code).toBe(1);
    expect(r2.stdout).toContain("refusing to replace the symbolic link /srv/app/conf");
    expect(readFileSync(join(outside, "victim"), "utf8")).toBe("keep");
  });

  it("directory and symlink steps: mode applied, a real file is never replaced by a link", () => {
    const t = template({
      bom: [{ path: "/srv/app/conf", source: "f.njk" }],
      operations: [
        { directory: { path: "/srv/app/data", mode: "0750" } },
        { symlink: { target: "/srv/app/conf", link: "/srv/app/current" } },
      ],
    });
    const { script } = forge(t, opts("a"));
    const dest = tempDir();
    const r = staged(script, dest);
    expect(r.code).toBe(0);
    expect(statSync(join(dest, "srv/app/data")).mode & 0o7777).toBe(0o750);
    expect(staged(script, dest).code).toBe(0);
    const dest2 = tempDir();
    mkdirSync(join(dest2, "srv/app"), { recursive: true });
    writeFileSync(join(dest2, "srv/app/current"), "real file");
    const r2 = staged(script, dest2);
    expect(r2.code).toBe(1);
    expect(readFileSync(join(dest2, "srv/app/current"), "utf8")).toBe("real file");
  });

  it("an executable asset runs only while it is the deployed file", () => {
    const t = template(
      {
        bom: [{ path: "/usr/local/bin/hello", source: "hello.sh", executable: true }],
        proofs: [{ command: { exec: "/usr/local/bin/hello", stdout_contains: "hello ok" } }],
      },
      [["hello.sh", "#!/bin/bash\necho hello ok\n"]],
    );
    const { script } = forge(t, opts("a"));
    const dest = tempDir();
    expect(staged(script, dest).code).toBe(0);
    expect(statSync(join(dest, "usr/local/bin/hello")).mode & 0o777).toBe(0o755);
  });
});
