// End-to-end: the built CLI (`npm run build` first) generating the Ansible tree, as a child process.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { readInfraInput } from "../../core/io/read-infra.js";
import { buildEstate, type Estate } from "../../core/model/estate.js";
import { loadInfra } from "../../core/source/infra-source.js";
import { validateInfra } from "../../validators/validate.js";

const REPO = join(import.meta.dirname, "..", "..");
const PLUMB = join(REPO, "dist", "cli", "main.js");
const DIRS = ["inventory", "group_vars", "host_vars"];

function plumb(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [PLUMB, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"], // stdin is not a terminal, as in CI
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A repository holding a copy of the example estate (infra/ only, nothing generated), in
 * anklume's layout: the example's `ansible_dir: ansible` setting is removed, so the tree is
 * written at the root (the default for users' repositories).
 */
function exampleRepo(options: { keepAnsibleDir?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "plumb-gen-"));
  cpSync(join(REPO, "infra"), join(dir, "infra"), { recursive: true });
  // The example's machines declare contracts: validation resolves their templates.
  cpSync(join(REPO, "templates"), join(dir, "templates"), { recursive: true });
  cpSync(join(REPO, "templates.lock"), join(dir, "templates.lock"));
  if (!options.keepAnsibleDir) {
    const base = join(dir, "infra", "base.yml");
    writeFileSync(base, readFileSync(base, "utf8").replace(/^ {2}ansible_dir: .*\n/m, ""));
  }
  return dir;
}

/** Relative path → bytes of every file under the three generated folders. */
function readTree(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const d of DIRS) {
    if (!existsSync(join(root, d))) continue;
    for (const f of readdirSync(join(root, d)).sort())
      out.set(`${d}/${f}`, readFileSync(join(root, d, f)));
  }
  return out;
}

function exampleEstate(): Estate {
  const r = validateInfra(loadInfra(readInfraInput(REPO)));
  if (!r.document) throw new Error("the example estate does not validate");
  return buildEstate(r.document);
}

const edit = (path: string, from: string | RegExp, to: string) =>
  writeFileSync(path, readFileSync(path, "utf8").replace(from, to));

describe("plumb generate (built CLI)", () => {
  it("reproduces the committed tree of the example byte for byte (golden files)", () => {
    const dir = exampleRepo();
    const r = plumb(["generate"], dir);
    expect(r.code, r.stderr).toBe(0);
    const golden = readTree(join(REPO, "ansible"));
    expect(golden.size).toBeGreaterThan(0);
    expect(readTree(dir)).toEqual(golden);
  });

  it.skipIf(!existsSync("/usr/bin/ansible-inventory") && !process.env.CI)(
    "is accepted by the real ansible-inventory, with the expected groups, hosts and variables",
    () => {
      const dir = exampleRepo();
      expect(plumb(["generate"], dir).code).toBe(0);
      const r = spawnSync("ansible-inventory", ["-i", "inventory/", "--list"], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, ANSIBLE_INVENTORY_UNPARSED_WARNING: "true" },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/warning/i);
      const inv = JSON.parse(r.stdout);
      const estate = exampleEstate();
      const enabled = estate.domains.filter((d) => d.enabled);
      expect([...inv.all.children].sort()).toEqual(
        [...enabled.map((d) => d.name), "ungrouped"].sort(),
      );
      for (const d of enabled) {
        expect(inv[d.name].hosts).toEqual(d.machines);
        for (const name of d.machines) {
          const m = estate.machines.find((x) => x.name === name);
          const vars = inv._meta.hostvars[name];
          expect(vars).toMatchObject({
            ansible_host: m?.ip,
            instance_ip: m?.ip,
            instance_domain: d.name,
            domain_name: d.name,
            incus_network: { name: d.network, subnet: d.subnet, gateway: d.gateway },
            project_name: estate.projectName,
          });
          expect(vars).not.toHaveProperty("ansible_connection");
        }
      }
    },
  );

  it("writes nothing on a second run, and only the files whose bytes change after an edit", () => {
    const dir = exampleRepo();
    expect(plumb(["generate"], dir).code).toBe(0);
    const inodes = () =>
      new Map([...readTree(dir).keys()].map((p) => [p, statSync(join(dir, p)).ino]));
    const first = inodes();
    const again = plumb(["generate"], dir);
    expect(again.stderr).toContain(
      `0 files written (0 created, 0 updated, ${first.size} unchanged, 0 orphaned)`,
    );
    expect(inodes()).toEqual(first);
    edit(join(dir, "infra/domains/web.yml"), "Application API", "Application API v2");
    const r = plumb(["generate"], dir);
    expect(r.stdout.trim()).toBe("updated      host_vars/web-api.yml");
    const changed = [...inodes()].filter(([p, ino]) => first.get(p) !== ino).map(([p]) => p);
    expect(changed).toEqual(["host_vars/web-api.yml"]);
  });

  it("--check fails on a stale tree with a readable unified diff, and writes nothing", () => {
    const dir = exampleRepo();
    plumb(["generate"], dir);
    edit(join(dir, "infra/domains/data.yml"), "Redis cache", "Redis cache (LRU)");
    const before = readTree(dir);
    const r = plumb(["generate", "--check"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("--- a/host_vars/data-cache.yml\n+++ b/host_vars/data-cache.yml\n");
    expect(r.stdout).toMatch(/^-instance_description: Redis cache$/m);
    expect(r.stdout).toMatch(/^\+instance_description: Redis cache \(LRU\)$/m);
    expect(r.stderr).toContain("out of date");
    expect(readTree(dir)).toEqual(before);
    expect(plumb(["generate"], dir).code).toBe(0);
    expect(plumb(["generate", "--check"], dir).code).toBe(0);
  });

  it("--check --format github annotates the stale file at its first changed line", () => {
    const dir = exampleRepo();
    plumb(["generate"], dir);
    edit(join(dir, "infra/domains/data.yml"), "Redis cache", "Redis cache (LRU)");
    const r = plumb(["generate", "--check", "--format", "github"], dir);
    expect(r.code).toBe(1);
    const text = readFileSync(join(dir, "host_vars/data-cache.yml"), "utf8").split("\n");
    const line = text.findIndex((l) => l.startsWith("# plumb: sha256=")) + 1;
    expect(r.stdout).toContain(
      `::error file=host_vars/data-cache.yml,line=${line},col=1,title=PLB605 error::`,
    );
  });

  it("keeps hand edits outside the section byte for byte", () => {
    const dir = exampleRepo();
    plumb(["generate"], dir);
    const file = join(dir, "host_vars/web-api.yml");
    const original = readFileSync(file, "utf8");
    const head = "# Hand-written header\n";
    const tail = 'app_workers: 4\napp_env: "prod"   # keep\n';
    writeFileSync(file, `${head}${original}${tail}`);
    edit(join(dir, "infra/domains/web.yml"), 'limits.cpu: "2"', 'limits.cpu: "4"');
    const r = plumb(["generate"], dir);
    expect(r.code, r.stderr).toBe(0);
    const now = readFileSync(file, "utf8");
    expect(now.startsWith(head)).toBe(true);
    expect(now.endsWith(`# Your custom variables below:\n${tail}`)).toBe(true);
    expect(now).toContain('limits.cpu: "4"');
  });

  it("detects a hand edit inside a section, refuses to write anything, and --force overrides", () => {
    const dir = exampleRepo();
    plumb(["generate"], dir);
    const file = join(dir, "group_vars/web.yml");
    edit(file, "domain_description: Public web tier", "domain_description: edited here");
    edit(join(dir, "infra/domains/ops.yml"), "Prometheus and alerting", "Prometheus");
    const before = readTree(dir);
    const r = plumb(["generate"], dir);
    expect(r.code).toBe(1);
    const line =
      readFileSync(file, "utf8").split("\n").indexOf("domain_description: edited here") + 1;
    expect(r.stderr).toContain("error[PLB604]");
    expect(r.stderr).toContain(`--> group_vars/web.yml:${line}:1`);
    expect(r.stderr).toContain("--force");
    expect(readTree(dir)).toEqual(before); // not even the unrelated stale host_vars file
    const forced = plumb(["generate", "--force"], dir);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("domain_description: Public web tier");
  });

  it("refuses duplicated markers and an adoption that would set a key twice, pointing at the line", () => {
    const dir = exampleRepo();
    plumb(["generate"], dir);
    writeFileSync(join(dir, "inventory/web.yml"), "---\nall: {}\n");
    const text = readFileSync(join(dir, "host_vars/ci-builder.yml"), "utf8");
    writeFileSync(join(dir, "host_vars/ci-builder.yml"), `${text}${text}`);
    const r = plumb(["generate", "--format", "json"], dir);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.diagnostics.map((d: { code: string; file: string }) => [d.code, d.file])).toEqual([
      ["PLB602", "host_vars/ci-builder.yml"],
      ["PLB609", "inventory/web.yml"],
    ]);
  });

  it("writes under global.ansible_dir (the example's `ansible/`), the root untouched", () => {
    const dir = exampleRepo({ keepAnsibleDir: true });
    const r = plumb(["generate"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("ansible/host_vars/web-front-1.yml");
    for (const d of DIRS) {
      expect(existsSync(join(dir, d))).toBe(false);
      expect(readdirSync(join(dir, "ansible", d)).length).toBeGreaterThan(0);
    }
    // Same files as the committed example tree.
    for (const d of DIRS)
      for (const f of readdirSync(join(REPO, "ansible", d)))
        expect(readFileSync(join(dir, "ansible", d, f), "utf8")).toBe(
          readFileSync(join(REPO, "ansible", d, f), "utf8"),
        );
    expect(plumb(["generate", "--check"], dir).code).toBe(0);
  });

  it("adopts an existing file without markers: --check reports it, generate keeps the user's text", () => {
    const dir = exampleRepo();
    plumb(["generate"], dir);
    const file = join(dir, "host_vars/ci-builder.yml");
    writeFileSync(file, "---\n# ours, from before plumb\nbackup_window: '02:00'\n");
    const check = plumb(["generate", "--check"], dir);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("host_vars/ci-builder.yml  (adopted: managed section inserted");
    const r = plumb(["generate"], dir);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text.startsWith("---\n# === MANAGED BY infra.yml ===\n")).toBe(true);
    expect(text.endsWith("\n\n# ours, from before plumb\nbackup_window: '02:00'\n")).toBe(true);
    expect(plumb(["generate", "--check"], dir).code).toBe(0);
  });

  it("lists orphans; --prune refuses without a terminal or --yes, deletes with --yes, keeps protected ones", () => {
    const dir = exampleRepo();
    plumb(["generate"], dir);
    edit(join(dir, "infra/domains/ci.yml"), / {4}ci-runner-2:\n(?: {6}.*\n)+/, "");
    const r = plumb(["generate"], dir);
    expect(r.stdout).toContain("ORPHAN: host_vars/ci-runner-2.yml");
    expect(plumb(["generate", "--check"], dir).code).toBe(1);
    const refused = plumb(["generate", "--prune"], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error[PLB607]");
    expect(refused.stderr).toContain("--yes");
    expect(existsSync(join(dir, "host_vars/ci-runner-2.yml"))).toBe(true);
    cpSync(join(dir, "host_vars/ci-builder.yml"), join(dir, "host_vars/retired.yml"));
    const pruned = plumb(["generate", "--prune", "--yes"], dir);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain("Deleted: host_vars/ci-runner-2.yml");
    expect(pruned.stdout).toContain("PROTECTED (ephemeral=false): host_vars/retired.yml");
    expect(existsSync(join(dir, "host_vars/ci-runner-2.yml"))).toBe(false);
    expect(existsSync(join(dir, "host_vars/retired.yml"))).toBe(true);
  });

  it("directory mode and single-file mode produce the same tree", () => {
    const dirMode = exampleRepo();
    expect(plumb(["generate"], dirMode).code).toBe(0);
    const load = (rel: string) =>
      jsyaml.load(readFileSync(join(REPO, "infra", rel), "utf8")) as Record<string, unknown>;
    const domains = Object.assign(
      {},
      ...readdirSync(join(REPO, "infra/domains"))
        .sort()
        .map((f) => load(`domains/${f}`)),
    );
    const base = load("base.yml");
    delete (base.global as Record<string, unknown>).ansible_dir; // anklume's layout, as dirMode
    // policies.yml `contracts:` (apply's failure policy) has no place in a single infra.yml.
    const { contracts: _policy, ...policies } = load("policies.yml");
    const single = { ...base, domains, ...policies };
    const fileMode = mkdtempSync(join(tmpdir(), "plumb-gen-file-"));
    writeFileSync(join(fileMode, "infra.yml"), jsyaml.dump(single));
    cpSync(join(REPO, "templates"), join(fileMode, "templates"), { recursive: true });
    cpSync(join(REPO, "templates.lock"), join(fileMode, "templates.lock"));
    expect(plumb(["generate"], fileMode).code).toBe(0);
    expect(readTree(fileMode)).toEqual(readTree(dirMode));
  });

  it("writes nothing when validation fails", () => {
    const dir = exampleRepo();
    edit(join(dir, "infra/domains/ops.yml"), "ip: 10.100.0.10", "ip: 10.250.0.10");
    const r = plumb(["generate"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB302]");
    expect(readTree(dir).size).toBe(0);
  });

  it("--dry-run and the sync alias: show what would be written, write nothing", () => {
    const dir = exampleRepo();
    const r = plumb(["sync", "--dry-run"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^would create inventory\/web\.yml$/m);
    expect(r.stdout).toContain("--- /dev/null\n+++ b/inventory/web.yml\n");
    expect(readTree(dir).size).toBe(0);
  });

  it("--json gives a versioned result document", () => {
    const dir = exampleRepo();
    const r = plumb(["generate", "--json"], dir);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ version: 1, ok: true, mode: "write", input: { mode: "dir" } });
    expect(doc.summary).toEqual({
      created: readTree(dir).size,
      updated: 0,
      unchanged: 0,
      orphaned: 0,
      conflicts: 0,
      written: readTree(dir).size,
      deleted: 0,
    });
  });

  it("produces files a formatter leaves alone (Biome formats YAML; hashes must survive it)", () => {
    const dir = exampleRepo();
    plumb(["generate"], dir);
    const biome = join(REPO, "node_modules", ".bin", "biome");
    for (const [path, bytes] of readTree(dir)) {
      const r = spawnSync(biome, ["format", `--stdin-file-path=${path}`], {
        cwd: REPO,
        input: bytes,
        encoding: "utf8",
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout, path).toBe(bytes.toString("utf8"));
    }
  });
});
