// Issue 9 item 1: keyring takeover and rollback, through the built CLI and the target's
// plumb-verify. A repository writer without a keyring key adds their own key, keeps the version,
// deletes keys/keyring.sig.d/* and re-signs: `keys verify`, `keys export-target`, `contract
// verify` refuse, and a target holding the trust files exported before refuses the attacker's
// contract. Rolling keys/ back to an older commit is refused too (a key revoked later does not
// sign again under the old version).
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJsonBytes } from "../../core/signing/canonical-json.js";
import { fingerprint, parsePublicKey } from "../../core/signing/public-key.js";
import { runPlumbSync } from "../kit/cli.js";

const REPO = join(import.meta.dirname, "..", "..");
let root: string;
let home: string;

function plumb(args: string[], env: Record<string, string> = {}) {
  return runPlumbSync(["--root", root, ...args], {
    cwd: root,
    env: {
      HOME: home,
      PLUMB_STATE_HOME: join(home, "state"),
      ...env,
    },
  });
}
const ok = (args: string[], env: Record<string, string> = {}) => {
  const r = plumb(args, env);
  expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
};
const refused = (args: string[], code: string, env: Record<string, string> = {}) => {
  const r = plumb(args, env);
  expect(r.code, `${args.join(" ")} should be refused\n${r.stdout}${r.stderr}`).toBe(1);
  expect(r.stderr).toContain(`error[${code}]`);
};
const git = (...args: string[]) => {
  const r = spawnSync("git", ["-C", root, ...args], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
};
const sshSign = (key: string, file: string, ns: string) => {
  const r = spawnSync("ssh-keygen", ["-q", "-Y", "sign", "-f", key, "-n", ns, file], {
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
};

/** Runs the target-side verifier with the given trust directory (host bash, real ssh-keygen). */
function target(trust: string, bundle: string) {
  const run = join(home, "run");
  const state = join(home, `state-${Math.random().toString(16).slice(2)}`);
  writeFileSync(state, "0 0\n");
  const r = spawnSync(
    "bash",
    [
      join(trust, "plumb-verify"),
      "--trust",
      trust,
      "--state",
      state,
      "--target",
      "web-1",
      "--run-dir",
      run,
      "--verify-only",
      bundle,
    ],
    { encoding: "utf8" },
  );
  return /"code":"(\w+)"/.exec(r.stdout)?.[1];
}

function forge(out: string, banner: string) {
  ok([
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
  ]);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "plumb-takeover-"));
  home = mkdtempSync(join(tmpdir(), "plumb-takeover-home-"));
  cpSync(join(REPO, "templates"), join(root, "templates"), { recursive: true });
  cpSync(join(REPO, "templates.lock"), join(root, "templates.lock"));
  writeFileSync(
    join(root, "infra.yml"),
    "project_name: t\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  web:\n    machines:\n      web-1: {}\n",
  );
  git("init", "-q", "-b", "main");
  git("config", "user.email", "t@example.org");
  git("config", "user.name", "t");
  for (const who of ["alice", "bob", "mallory"]) ok(["keys", "generate", "--out", join(home, who)]);
  ok(["keys", "init", "--pub", join(home, "alice.pub"), "--org", "acme", "--principal", "alice"]);
  ok(["keys", "sign-keyring", "--key", join(home, "alice")]);
  ok(["keys", "trust", join(home, "bob.pub"), "--principal", "bob", "--role", "contract"]);
  ok(["keys", "sign-keyring", "--key", join(home, "alice")]);
  ok(["keys", "verify"]); // this machine records v2
  ok(["templates", "sign", "--key", join(home, "alice")]);
  ok(["keys", "export-target", "--out", join(home, "trust")]);
  git("add", "-A");
  git("commit", "-qm", "keyring v2");
}, 120_000);
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe("keyring takeover and rollback", { timeout: 120_000 }, () => {
  it("keys verify prints the chain from the pinned root", () => {
    // A fresh machine (no record, no pin) walks from v1; this machine starts at its record, v2.
    const fresh = ok(["keys", "verify"], { PLUMB_STATE_HOME: join(home, "fresh-0") });
    expect(fresh.stdout).toMatch(/v1\s+root/);
    expect(fresh.stdout).toMatch(/v2\s+rotation/);
    expect(fresh.stdout).toMatch(/PLUMB_KEYRING_PIN\): 2:[0-9a-f]{64}/);
    expect(ok(["keys", "verify"]).stdout).toMatch(/chain from v2 \(this machine's record/);
  });

  it("takeover (own key added, version kept, signatures replaced) is refused everywhere", () => {
    forge("c-legit", "legit");
    ok(["contract", "sign", "c-legit", "--key", join(home, "alice")]);
    // The attacker's script, forged while the catalog was still trusted (after the takeover
    // forging itself is refused: the lock cannot be checked against a keyring that fails).
    forge("c-evil", "evil");
    // The attacker edits keys/ by hand: adds mallory to every role, keeps v2, re-signs.
    const file = join(root, "keys", "keyring.json");
    const k = JSON.parse(readFileSync(file, "utf8"));
    const mpub = parsePublicKey(readFileSync(join(home, "mallory.pub"), "utf8").trim());
    const fp = fingerprint(mpub);
    k.keys[fp] = {
      principal: "mallory",
      public_key: readFileSync(join(home, "mallory.pub"), "utf8")
        .trim()
        .split(" ")
        .slice(0, 2)
        .join(" "),
    };
    for (const role of ["keyring", "contract", "approver"]) {
      k.roles[role].keys.push(fp);
      k.roles[role].threshold = 1;
    }
    writeFileSync(file, canonicalJsonBytes(k));
    for (const f of readdirSync(join(root, "keys", "keyring.sig.d")))
      rmSync(join(root, "keys", "keyring.sig.d", f));
    sshSign(join(home, "mallory"), file, "plumb-keyring-v1@acme");
    cpSync(`${file}.sig`, join(root, "keys", "keyring.sig.d", "mallory.sig"));
    rmSync(`${file}.sig`);

    // This machine verified the real v2 before: the forged v2 differs from it.
    refused(["keys", "verify"], "PLB845");
    // A machine without that record still walks from v1, and v1's keyring role did not sign.
    const fresh = { PLUMB_STATE_HOME: join(home, "fresh-1") };
    refused(["keys", "verify"], "PLB873", fresh);
    refused(["keys", "export-target", "--out", join(home, "attacker-trust")], "PLB845");
    refused(["keys", "export-target", "--out", join(home, "attacker-trust")], "PLB873", fresh);
    expect(existsSync(join(home, "attacker-trust", "policy"))).toBe(false);

    refused(
      ["contract", "forge", "motd", "--input", "banner=x", "--target", "web-1", "--out", "c-x"],
      "PLB869",
    );
    // A contract signed by mallory alone (with ssh-keygen: plumb itself refuses to sign).
    mkdirSync(join(root, "c-evil", "signatures"), { recursive: true });
    cpSync(join(root, "c-legit", "manifest.json"), join(root, "c-evil", "manifest.json"));
    const manifest = JSON.parse(readFileSync(join(root, "c-evil", "manifest.json"), "utf8"));
    expect(manifest.keyring_version).toBe(2);
    refused(["contract", "sign", "c-evil", "--key", join(home, "mallory")], "PLB873", fresh);
    // Re-derive the manifest for the evil script, sign it with ssh-keygen as mallory.
    const legit = readFileSync(join(root, "c-legit", "manifest.json"), "utf8");
    const sha = (p: string) =>
      spawnSync("sha256sum", [p], { encoding: "utf8" }).stdout.split(" ")[0] as string;
    const evil = legit
      .replace(manifest.subject.sha256, sha(join(root, "c-evil", "contract.sh")))
      .replace(manifest.hfc_sha256, sha(join(root, "c-evil", "hfc.json")));
    writeFileSync(join(root, "c-evil", "manifest.json"), evil);
    sshSign(
      join(home, "mallory"),
      join(root, "c-evil", "manifest.json"),
      "plumb-contract-manifest-v1@acme",
    );
    cpSync(join(root, "c-evil", "manifest.json.sig"), join(root, "c-evil", "signatures", "m.sig"));
    rmSync(join(root, "c-evil", "manifest.json.sig"));
    refused(["contract", "verify", "c-evil", "--target", "web-1"], "PLB845");
    refused(["contract", "verify", "c-evil", "--target", "web-1"], "PLB873", fresh);
    // The target holds the trust files exported before the attack: it refuses the contract.
    expect(target(join(home, "trust"), join(root, "c-evil"))).toBe("PLB877");
    // And the legit contract still verifies on the target.
    expect(target(join(home, "trust"), join(root, "c-legit"))).toBe("verified");

    // Deleting the history as well: this machine's record of v2 refuses the forged v2, and so
    // does a fresh CI checkout with the pin.
    rmSync(join(root, "keys", "history"), { recursive: true });
    refused(["keys", "verify"], "PLB845");
    const pin = git("show", "HEAD:keys/keyring.json");
    const pinSha = spawnSync("sha256sum", { input: pin, encoding: "utf8" }).stdout.split(" ")[0];
    refused(["keys", "verify"], "PLB845", {
      PLUMB_STATE_HOME: join(home, "fresh-ci"),
      PLUMB_KEYRING_PIN: `2:${pinSha}`,
    });
    git("checkout", "-q", "--", "keys");
    git("clean", "-qfd", "keys");
    ok(["keys", "verify"]);
  });

  it("rollback of keys/ to an older commit is refused; a key revoked later cannot sign under it", () => {
    forge("c-bob", "bob");
    ok(["contract", "sign", "c-bob", "--key", join(home, "bob")]);
    const v2 = git("rev-parse", "HEAD");
    ok(["keys", "revoke", join(home, "bob.pub")]);
    ok(["keys", "sign-keyring", "--key", join(home, "alice")]);
    ok(["keys", "verify"]); // records v3
    refused(["contract", "verify", "c-bob"], "PLB875"); // bob is revoked in v3
    git("add", "-A");
    git("commit", "-qm", "keyring v3: bob revoked");
    // Roll keys/ back to v2 (history/2 did not exist then).
    git("checkout", "-q", v2, "--", "keys");
    git("clean", "-qfd", "keys");
    refused(["keys", "verify"], "PLB844");
    refused(["contract", "verify", "c-bob", "--target", "web-1"], "PLB844");
    refused(["keys", "export-target", "--out", join(home, "trust2")], "PLB844");
    // CI with a pin of v3 refuses too, without this machine's record.
    git("checkout", "-q", "main", "--", "keys");
    const v3 = readFileSync(join(root, "keys", "keyring.json"));
    const sha = spawnSync("sha256sum", { input: v3, encoding: "utf8" }).stdout.split(" ")[0];
    git("checkout", "-q", v2, "--", "keys");
    git("clean", "-qfd", "keys");
    refused(["keys", "verify"], "PLB844", {
      PLUMB_STATE_HOME: join(home, "fresh-ci-2"),
      PLUMB_KEYRING_PIN: `3:${sha}`,
    });
    // A target that has v3's trust files makes export-target refuse the older keyring as well.
    git("checkout", "-q", "main", "--", "keys");
    git("clean", "-qfd", "keys");
    ok(["keys", "export-target", "--out", join(home, "trust3")]);
    git("checkout", "-q", v2, "--", "keys");
    git("clean", "-qfd", "keys");
    refused(["keys", "export-target", "--out", join(home, "trust3")], "PLB844", {
      PLUMB_STATE_HOME: join(home, "fresh-ci-3"),
    });
  });
});
