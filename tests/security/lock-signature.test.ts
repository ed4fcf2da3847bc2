// Issue 12 item 1: the catalog is trusted only through templates.lock signed by the keyring's
// contract threshold. Each attack, through the built CLI (forge, validate, templates sign) with
// real ssh-keygen signatures where an attacker would use them: a lock tampered after signing, a
// signature by a key without the contract role, by a revoked key, one key signing twice under
// threshold 2, a pull request adding its own key's signature (and catalog change) without a
// keyring change. All refused: the catalog loads nothing.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeAtomic } from "../../core/io/trust-store.js";
import { generateKeyPairFiles } from "../../core/signing/key-files.js";
import { keySigner } from "../../core/signing/signer.js";
import { signSshsig } from "../../core/signing/sshsig.js";
import {
  type Keyring,
  keyringBytes,
  keyText,
  namespaceFor,
  newKeyring,
  trustKey,
} from "../../core/trust/keyring.js";
import { runPlumbSync } from "../kit/cli.js";
import { signTemplatesLock } from "../kit/lock-sign.js";

const REPO = join(import.meta.dirname, "..", "..");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const keys = (() => {
  const home = mkdtempSync(join(tmpdir(), "plumb-locksig-keys-"));
  dirs.push(home);
  const make = (who: string) => ({
    ...generateKeyPairFiles(join(home, who), who),
    file: join(home, who),
  });
  return { alice: make("alice"), bob: make("bob"), carol: make("carol"), mallory: make("mallory") };
})();

/** A temp repo with the bundled templates and a keyring v1 built by `edit`, signed by alice. */
async function repo(edit: (k: Keyring) => Keyring = (k) => k) {
  const root = mkdtempSync(join(tmpdir(), "plumb-locksig-"));
  dirs.push(root);
  cpSync(join(REPO, "templates"), join(root, "templates"), { recursive: true });
  cpSync(join(REPO, "templates.lock"), join(root, "templates.lock"));
  writeFileSync(
    join(root, "infra.yml"),
    "project_name: t\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  web:\n    machines:\n      web-1: {}\n",
  );
  const k = {
    ...edit(newKeyring("acme", keys.alice.key.publicKey, "alice", "2099-01-01T00:00:00Z")),
    version: 1,
  };
  const bytes = keyringBytes(k);
  mkdirSync(join(root, "keys", "keyring.sig.d"), { recursive: true });
  writeAtomic(join(root, "keys", "keyring.json"), bytes);
  writeAtomic(
    join(root, "keys", "keyring.sig.d", "alice.sig"),
    await signSshsig(bytes, namespaceFor("keyring", "acme"), keySigner(keys.alice.key)),
  );
  const state = mkdtempSync(join(tmpdir(), "plumb-locksig-state-"));
  dirs.push(state);
  const plumb = (args: string[]) =>
    runPlumbSync(["--root", root, ...args], { cwd: root, env: { PLUMB_STATE_HOME: state } });
  const forge = () =>
    plumb([
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
      "c",
    ]);
  return { root, plumb, forge };
}

/** What an attacker with ssh-keygen does: sign the lock file directly, drop it in the sig dir. */
function sshSignLock(root: string, key: string, name: string) {
  const lock = join(root, "templates.lock");
  const r = spawnSync(
    "ssh-keygen",
    ["-q", "-Y", "sign", "-f", key, "-n", "plumb-templates-lock-v1@acme", lock],
    {
      encoding: "utf8",
    },
  );
  expect(r.status, r.stderr).toBe(0);
  mkdirSync(join(root, "templates.lock.sig.d"), { recursive: true });
  cpSync(`${lock}.sig`, join(root, "templates.lock.sig.d", name));
  rmSync(`${lock}.sig`);
}

const refused = (r: { code: number; stderr: string }, code: string) => {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toContain(`error[${code}]`);
};

describe("templates.lock signatures", { timeout: 240_000 }, () => {
  it("the baseline: a lock signed by alice (threshold 1) forges; ssh-keygen's own signature is accepted", async () => {
    const t = await repo();
    refused(t.forge(), "PLB836"); // unsigned: the catalog loads nothing
    const v = t.plumb(["validate"]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr).toContain("warning[PLB836]");
    sshSignLock(t.root, keys.alice.file, "alice.sig");
    const ok = t.forge();
    expect(ok.code, ok.stderr).toBe(0);
  });

  it("a lock tampered after signing is refused at forge and is an error at validate", async () => {
    const t = await repo();
    await signTemplatesLock(t.root, [keys.alice.key]);
    expect(t.forge().code).toBe(0);
    const file = join(t.root, "templates.lock");
    // A PR edits a catalog action and rewrites the hash in the lock by hand, keeping the signature.
    const action = join(t.root, "templates", "actions", "package-install.yml");
    writeFileSync(
      action,
      readFileSync(action, "utf8").replace("risk_level: LOW", "risk_level: LOW\n# x"),
    );
    const relock = t.plumb(["templates", "check", "--json"]);
    const hash = JSON.parse(relock.stdout).diagnostics.find(
      (d: { code: string }) => d.code === "PLB861",
    );
    expect(hash).toBeDefined();
    const { createHash } = await import("node:crypto");
    const lock = JSON.parse(readFileSync(file, "utf8"));
    lock.actions["package-install"] =
      `sha256:${createHash("sha256").update(readFileSync(action)).digest("hex")}`;
    writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
    refused(t.forge(), "PLB837");
    refused(t.plumb(["validate"]), "PLB837");
    // Even a whitespace change to the lock alone breaks the signature.
    const t2 = await repo();
    await signTemplatesLock(t2.root, [keys.alice.key]);
    writeFileSync(
      join(t2.root, "templates.lock"),
      `${readFileSync(join(t2.root, "templates.lock"), "utf8")}\n`,
    );
    refused(t2.forge(), "PLB837");
  });

  it("a signature by a key without the contract role is refused (and plumb will not make one)", async () => {
    const t = await repo((k) =>
      trustKey(k, keys.bob.key.publicKey, "bob", ["approver", "operator"]),
    );
    await signTemplatesLock(t.root, [keys.alice.key]);
    refused(t.plumb(["templates", "sign", "--key", keys.bob.file]), "PLB970");
    sshSignLock(t.root, keys.bob.file, "bob.sig");
    refused(t.forge(), "PLB837");
    expect(t.forge().stderr).toContain("PLB874");
    refused(t.plumb(["validate"]), "PLB837");
  });

  it("a signature by a revoked key refuses the set, even beside a valid one", async () => {
    const t = await repo((k) => {
      const withCarol = trustKey(k, keys.carol.key.publicKey, "carol", ["contract"]);
      return { ...withCarol, revoked: [keyText(keys.carol.key.publicKey)] };
    });
    await signTemplatesLock(t.root, [keys.alice.key, keys.carol.key]);
    refused(t.forge(), "PLB837");
    expect(t.forge().stderr).toContain("PLB875");
  });

  it("one key signing twice does not reach threshold 2", async () => {
    const t = await repo((k) => {
      const withBob = trustKey(k, keys.bob.key.publicKey, "bob", ["contract"]);
      return {
        ...withBob,
        roles: { ...withBob.roles, contract: { ...withBob.roles.contract, threshold: 2 } },
      };
    });
    const ok = t.plumb(["templates", "sign", "--key", keys.alice.file]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain("not yet trusted");
    const dir = join(t.root, "templates.lock.sig.d");
    const [first] = readdirSync(dir);
    cpSync(join(dir, first as string), join(dir, "again.sig"));
    sshSignLock(t.root, keys.alice.file, "third.sig");
    refused(t.forge(), "PLB838");
    // validate: incomplete co-signing is a warning, not an error.
    const v = t.plumb(["validate"]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr).toContain("warning[PLB838]");
    expect(t.plumb(["templates", "sign", "--key", keys.bob.file]).code).toBe(0);
    expect(t.forge().code).toBe(0);
  });

  it("a pull request that changes the catalog, re-locks and adds its own key's signature is refused", async () => {
    const t = await repo();
    await signTemplatesLock(t.root, [keys.alice.key]);
    const action = join(t.root, "templates", "actions", "service-restart.yml");
    writeFileSync(
      action,
      readFileSync(action, "utf8").replace("consent_level: CONFIRM", "consent_level: NONE"),
    );
    const relock = t.plumb(["templates", "lock"]);
    expect(relock.code, relock.stderr).toBe(0);
    expect(relock.stderr).toContain("1 old signature(s) removed");
    expect(readdirSync(t.root)).not.toContain("templates.lock.sig.d");
    refused(t.forge(), "PLB836");
    // `contract test` refuses too, before any sandbox is launched.
    refused(t.plumb(["contract", "test", "c", "--target", "web-1"]), "PLB836");
    sshSignLock(t.root, keys.mallory.file, "mallory.sig");
    refused(t.forge(), "PLB837");
    expect(t.forge().stderr).toContain("PLB874");
    refused(t.plumb(["validate"]), "PLB837");
    refused(t.plumb(["templates", "sign", "--key", keys.mallory.file]), "PLB970");
  });

  it("without a keyring the lock is only a warning at validate, and forging is refused", async () => {
    const t = await repo();
    rmSync(join(t.root, "keys"), { recursive: true });
    const v = t.plumb(["validate"]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr).toContain("warning[PLB836]");
    refused(t.forge(), "PLB836");
  });
});
