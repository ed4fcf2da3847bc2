// End-to-end: the keyring workflow through the built CLI — two approvers, a threshold of 2,
// signing through a real ssh-agent, revocation.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPlumbSync } from "../kit/cli.js";

const REPO = join(import.meta.dirname, "..", "..");
let root: string;
let agent: ChildProcess | undefined;
let agentSock: string;

function plumb(args: string[], env: Record<string, string> = {}) {
  return runPlumbSync(["--root", root, ...args], { cwd: root, env: { HOME: root, ...env } });
}
const ok = (args: string[], env: Record<string, string> = {}) => {
  const r = plumb(args, env);
  expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "plumb-keys-"));
  cpSync(join(REPO, "templates"), join(root, "templates"), { recursive: true });
  cpSync(join(REPO, "templates.lock"), join(root, "templates.lock"));
  writeFileSync(
    join(root, "infra.yml"),
    "project_name: t\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  web:\n    machines:\n      web-1: {}\n",
  );
  agentSock = join(root, "agent.sock");
  agent = spawn("ssh-agent", ["-D", "-a", agentSock], { stdio: "ignore" });
  for (let i = 0; i < 50 && !existsSync(agentSock); i++)
    await new Promise((r) => setTimeout(r, 50));
});
afterAll(() => {
  agent?.kill();
  rmSync(root, { recursive: true, force: true });
});

describe("keys and multi-approver contracts", () => {
  it("threshold 2: one signature is refused, a second distinct signer (through ssh-agent) makes it valid", () => {
    ok(["keys", "generate", "--out", join(root, "alice")]);
    ok(["keys", "generate", "--out", join(root, "bob")]);
    ok(["keys", "init", "--pub", join(root, "alice.pub"), "--org", "acme", "--principal", "alice"]);
    ok(["keys", "trust", join(root, "bob.pub"), "--principal", "bob", "--role", "contract"]);
    ok(["keys", "threshold", "contract", "2"]);
    ok(["keys", "sign-keyring", "--key", join(root, "alice")]);
    const list = JSON.parse(ok(["keys", "list", "--json"]).stdout);
    expect(list).toMatchObject({
      ok: true,
      // Edits before the first signature stay on v1: versions never skip.
      keyring: { version: 1, roles: { contract: { threshold: 2 } } },
    });
    // The catalog lock needs the contract threshold too: one signer is not enough to forge.
    ok(["templates", "sign", "--key", join(root, "alice")]);
    expect(
      plumb(["contract", "forge", "motd", "--input", "banner=hi", "--target", "web-1"]).stderr,
    ).toContain("error[PLB838]");
    // Bob co-signs the lock through ssh-agent (plumb never reads his key file).
    expect(
      spawnSync("ssh-add", ["-q", join(root, "bob")], {
        env: { ...process.env, SSH_AUTH_SOCK: agentSock },
      }).status,
    ).toBe(0);
    const lockSigned = ok(["templates", "sign", "--agent"], { SSH_AUTH_SOCK: agentSock });
    expect(lockSigned.stderr).toContain("2 of 2 required contract signature(s)");

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
      "c1",
    ]);
    ok(["contract", "sign", "c1", "--key", join(root, "alice")]);
    const one = plumb(["contract", "verify", "c1", "--target", "web-1"]);
    expect(one.code).toBe(1);
    expect(one.stderr).toContain("error[PLB877]");

    // The same key again does not count twice.
    ok(["contract", "sign", "c1", "--key", join(root, "alice")]);
    expect(plumb(["contract", "verify", "c1"]).stderr).toContain("error[PLB877]");

    // Bob signs through the agent: his key file is never read by plumb.
    expect(
      spawnSync("ssh-add", ["-q", join(root, "bob")], {
        env: { ...process.env, SSH_AUTH_SOCK: agentSock },
      }).status,
    ).toBe(0);
    rmSync(join(root, "bob"));
    ok(["contract", "sign", "c1", "--agent"], { SSH_AUTH_SOCK: agentSock });
    const verified = JSON.parse(
      ok(["contract", "verify", "c1", "--target", "web-1", "--json"]).stdout,
    );
    expect(verified.signers.map((s: { principal: string }) => s.principal).sort()).toEqual([
      "alice",
      "bob",
    ]);
  });

  it("an unsigned keyring change invalidates trust until it is re-signed; revocation ends a key's signatures", () => {
    ok(["keys", "generate", "--out", join(root, "carol")]);
    ok(["keys", "trust", join(root, "carol.pub"), "--principal", "carol", "--role", "contract"]);
    expect(plumb(["contract", "verify", "c1"]).stderr).toContain("error[PLB871]");
    ok(["keys", "sign-keyring", "--key", join(root, "alice")]);
    // c1 was signed under keyring v1; the keyring is now v2 (v1 kept in keys/history/1).
    expect(existsSync(join(root, "keys", "history", "1", "keyring.json"))).toBe(true);
    expect(plumb(["contract", "verify", "c1"]).stderr).toContain("error[PLB881]");

    ok(["keys", "revoke", join(root, "carol.pub")]);
    ok(["keys", "sign-keyring", "--key", join(root, "alice")]);
    ok([
      "contract",
      "forge",
      "motd",
      "--input",
      "banner=again",
      "--input",
      "owner=ops",
      "--target",
      "web-1",
      "--out",
      "c2",
    ]);
    ok(["contract", "sign", "c2", "--key", join(root, "alice")]);
    const refused = plumb(["contract", "sign", "c2", "--key", join(root, "carol")]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error[PLB874]");
    expect(
      plumb(["keys", "trust", join(root, "carol.pub"), "--principal", "carol"]).stderr,
    ).toContain("error[PLB875]");
  });
});
