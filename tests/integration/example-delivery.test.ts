// scripts/example.sh end to end on the real daemon, twice, in a copy of this checkout whose estate
// is renamed to a unique prefix (the daemon is shared): the first run makes the demo trust root,
// applies the estate and delivers every declared contract (motd on each machine, a package on the
// bastion); the second run changes nothing and sends no contract.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupPrefix, driver, REPO, skip, uniquePrefix, why } from "./reconcile-kit.js";

const prefix = uniquePrefix();
const DOMAINS = ["web", "data", "ops", "ci"];
const renamed = (d: string) => `${prefix}${d}`;

function copyCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), "plumb-example-"));
  for (const entry of readdirSync(REPO)) {
    if (
      [
        ".git",
        "node_modules",
        "dist",
        ".plumb",
        "keys",
        "templates.lock.sig.d",
        "coverage",
      ].includes(entry)
    )
      continue;
    cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  // A unique estate: project name and domain names (Incus projects and bridges) get the prefix.
  const base = join(dir, "infra", "base.yml");
  writeFileSync(
    base,
    readFileSync(base, "utf8").replace(/^project_name: .*$/m, `project_name: ${prefix}`),
  );
  for (const d of DOMAINS) {
    const f = join(dir, "infra", "domains", `${d}.yml`);
    writeFileSync(f, readFileSync(f, "utf8").replace(new RegExp(`^${d}:`, "m"), `${renamed(d)}:`));
  }
  const pol = join(dir, "infra", "policies.yml");
  writeFileSync(
    pol,
    readFileSync(pol, "utf8").replace(
      /^(\s+(?:from|to): )(web|data|ops|ci)$/gm,
      (_m, k: string, d: string) => `${k}${renamed(d)}`,
    ),
  );
  // Generated afresh for the renamed estate (the checked-in tree names the original domains).
  rmSync(join(dir, "infra", "addresses.lock.yml"), { force: true });
  rmSync(join(dir, "ansible"), { recursive: true, force: true });
  mkdirSync(join(dir, "home"), { recursive: true });
  return dir;
}

function example(dir: string) {
  const r = spawnSync("bash", ["scripts/example.sh"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, HOME: join(dir, "home"), NO_COLOR: "1", PLUMB_LOCK_TIMEOUT: "300" },
    timeout: 900_000,
  });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe.skipIf(skip)(
  `scripts/example.sh delivers the example's contracts${why}`,
  { timeout: 1_900_000 },
  () => {
    let dir: string;
    afterAll(async () => {
      const d = driver();
      await cleanupPrefix(d, prefix);
      d.close();
    });

    it("first run: trust root, apply, every contract delivered; second run: nothing to do", () => {
      dir = copyCheckout();
      const first = example(dir);
      expect(first.code, first.out.slice(-4000)).toBe(0);
      expect(first.out).toContain(
        "keys/ and templates.lock.sig.d/ are this repository's new trust root",
      );
      expect(first.out).toMatch(/Contracts: 11 succeeded, 0 failed/);
      expect(existsSync(join(dir, "keys", "keyring.json"))).toBe(true);
      const second = example(dir);
      expect(second.code, second.out.slice(-4000)).toBe(0);
      expect(second.out).not.toContain("demo trust root");
      expect(second.out).not.toMatch(/Delivering \d+ contract/);
      const journals = readdirSync(join(dir, ".plumb", "journal"));
      expect(journals).toHaveLength(10);
      for (const j of journals) {
        const lines = readFileSync(join(dir, ".plumb", "journal", j), "utf8")
          .trim()
          .split("\n");
        // One delivery per contract (PENDING, CLAIMED, SUCCESS), none from the second run.
        expect(lines.length % 3).toBe(0);
        expect(
          lines
            .map((l) => JSON.parse(l).run)
            .every((r) => r === JSON.parse(lines[0] as string).run),
        ).toBe(true);
      }
    });
  },
);
