// Issue 9 item 9: `plumb contract test` behaves like a real target. The sandbox answers to
// --target (no implicit target from the manifest, no --init-state on each run): a contract for
// another machine is refused inside the container; the replay state persists across two runs in
// the same container, and the second run of one contract is refused as a replay.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPlumbSync } from "../kit/cli.js";

const REPO = join(import.meta.dirname, "..", "..");
const SKIP =
  !process.env.CI && !existsSync(process.env.INCUS_SOCKET ?? "/var/lib/incus/unix.socket");
let root: string;
let kept: string | undefined;

function plumb(args: string[]) {
  return runPlumbSync(["--root", root, ...args], {
    cwd: root,
    env: { HOME: root, PLUMB_STATE_HOME: join(root, ".state") },
  });
}
const ok = (args: string[]) => {
  const r = plumb(args);
  expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
};

describe.skipIf(SKIP)("contract test as a real target", { timeout: 180_000 }, () => {
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "plumb-ctest-"));
    cpSync(join(REPO, "templates"), join(root, "templates"), { recursive: true });
    cpSync(join(REPO, "templates.lock"), join(root, "templates.lock"));
    writeFileSync(
      join(root, "infra.yml"),
      "project_name: t\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  web:\n    machines:\n      web-1: {}\n      web-2: {}\n",
    );
    ok(["keys", "generate", "--out", join(root, "k")]);
    ok(["keys", "init", "--pub", join(root, "k.pub"), "--org", "acme", "--principal", "alice"]);
    ok(["keys", "sign-keyring", "--key", join(root, "k")]);
    ok(["templates", "sign", "--key", join(root, "k")]);
    ok([
      "contract",
      "forge",
      "motd",
      "--input",
      "banner=hi",
      "--input",
      "owner=ops",
      "--target",
      "web-1",
      "--out",
      "b",
    ]);
    ok(["contract", "sign", "b", "--key", join(root, "k")]);
  }, 120_000);
  afterAll(() => {
    if (kept) spawnSync("incus", ["delete", "--force", kept]);
    rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it("the target name is checked: --target is required, and another name is refused inside the sandbox", () => {
    const none = plumb(["contract", "test", "b"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("--target");
    expect(plumb(["contract", "test", "b", "--target", "web-2"]).stderr).toContain("error[PLB879]");
    const inside = plumb([
      "contract",
      "test",
      "b",
      "--target",
      "web-2",
      "--skip-local-verify",
      "--json",
    ]);
    expect(inside.code).toBe(1);
    expect(JSON.parse(inside.stdout)).toMatchObject({
      ok: false,
      verified: false,
      refused: "PLB879",
    });
  });

  it("the replay state persists across two runs in the same container: the second is refused", () => {
    const first = JSON.parse(
      ok(["contract", "test", "b", "--target", "web-1", "--keep", "--json"]).stdout,
    );
    kept = first.sandbox as string;
    expect(first).toMatchObject({ ok: true, verified: true });
    const second = plumb([
      "contract",
      "test",
      "b",
      "--target",
      "web-1",
      "--sandbox",
      kept,
      "--json",
    ]);
    expect(second.code).toBe(1);
    expect(JSON.parse(second.stdout)).toMatchObject({
      ok: false,
      verified: false,
      refused: "PLB883",
    });
  });
});
