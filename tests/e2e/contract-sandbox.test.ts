// End-to-end: keys → keyring → forge → sign → `plumb contract test` in a real Incus container
// (the Debian test image: bash, coreutils and ssh-keygen inside). Needs the Incus sandbox
// (scripts/incus-sandbox.sh up --with-debian); CI always has it.
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runPlumbSync } from "../kit/cli.js";

const REPO = join(import.meta.dirname, "..", "..");
const SOCKET = process.env.INCUS_SOCKET ?? "/var/lib/incus/unix.socket";
const HAVE_INCUS = existsSync(SOCKET);
const SKIP = !process.env.CI && !HAVE_INCUS;

let root: string;
function plumb(args: string[]) {
  return runPlumbSync(["--root", root, ...args], { cwd: root, env: { HOME: root } });
}

describe.skipIf(SKIP)(
  `plumb contract test in a real Incus container${SKIP ? " (skipped: not in CI and no Incus socket; run scripts/incus-sandbox.sh up --with-debian)" : ""}`,
  { timeout: 180_000 },
  () => {
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), "plumb-sandbox-"));
      cpSync(join(REPO, "templates"), join(root, "templates"), { recursive: true });
      cpSync(join(REPO, "templates.lock"), join(root, "templates.lock"));
      writeFileSync(
        join(root, "infra.yml"),
        "project_name: t\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  web:\n    machines:\n      web-1: {}\n",
      );
      for (const args of [
        ["keys", "generate", "--out", join(root, "k1")],
        ["keys", "init", "--pub", join(root, "k1.pub"), "--org", "acme", "--principal", "alice"],
        ["keys", "sign-keyring", "--key", join(root, "k1")],
        ["templates", "sign", "--key", join(root, "k1")],
      ]) {
        const r = plumb(args);
        expect(r.code, r.stderr).toBe(0);
      }
    });

    function forgeAndSign(out: string, banner: string) {
      expect(
        plumb([
          "contract",
          "forge",
          "motd",
          "--input",
          `banner=${banner}`,
          "--input",
          "owner=ops",
          "--target",
          "web-1",
          "--out",
          out,
        ]).code,
      ).toBe(0);
      expect(plumb(["contract", "sign", out, "--key", join(root, "k1")]).code).toBe(0);
    }

    it("verifies with ssh-keygen inside the container, runs the contract and its proofs, then deletes the container", () => {
      const banner = "Hello $(touch /tmp/pwned) `id` 'quoted' *";
      forgeAndSign("ok", banner);
      const r = plumb(["contract", "test", "ok", "--target", "web-1", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc).toMatchObject({
        ok: true,
        verified: true,
        exit: 0,
        result: { status: "success", phase: "finished" },
      });
      const log = readFileSync(doc.log, "utf8");
      expect(log).toContain("/etc/motd contains the expected text");
      const list = spawnSync("incus", ["list", doc.sandbox, "--format", "csv", "-c", "n"], {
        encoding: "utf8",
      });
      expect(list.stdout.trim()).toBe("");
    });

    it("a script changed after signing is refused locally, and by the verifier inside the container", () => {
      forgeAndSign("tampered", "fine");
      appendFileSync(join(root, "tampered", "contract.sh"), "\ntouch /tmp/evil\n");
      const local = plumb(["contract", "test", "tampered", "--target", "web-1"]);
      expect(local.code).toBe(1);
      expect(local.stderr).toContain("error[PLB882]");
      const inside = plumb([
        "contract",
        "test",
        "tampered",
        "--target",
        "web-1",
        "--skip-local-verify",
        "--json",
      ]);
      expect(inside.code).toBe(1);
      const doc = JSON.parse(inside.stdout);
      expect(doc).toMatchObject({ ok: false, verified: false, refused: "PLB882", result: null });
    });
  },
);
