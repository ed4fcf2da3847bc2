// Issue 9 item 6: `plumb contract sign` derives the manifest from the HFC every time. A manifest
// planted in the bundle (another target, seq 2^53−1, expiry 2099) is refused and nothing is
// signed; a failed sign leaves nothing behind, so a retry with new --seq/--expires-in takes effect.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJsonBytes } from "../../core/signing/canonical-json.js";
import { runPlumbSync } from "../kit/cli.js";

const REPO = join(import.meta.dirname, "..", "..");
let root: string;

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
const refused = (args: string[], code: string) => {
  const r = plumb(args);
  expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(1);
  expect(r.stderr).toContain(`error[${code}]`);
};
const forge = (out: string) =>
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
    out,
  ]);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "plumb-sign-"));
  cpSync(join(REPO, "templates"), join(root, "templates"), { recursive: true });
  cpSync(join(REPO, "templates.lock"), join(root, "templates.lock"));
  writeFileSync(
    join(root, "infra.yml"),
    "project_name: t\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  web:\n    machines:\n      web-1: {}\n      web-2: {}\n",
  );
  ok(["keys", "generate", "--out", join(root, "alice")]);
  ok(["keys", "generate", "--out", join(root, "stranger")]);
  ok(["keys", "init", "--pub", join(root, "alice.pub"), "--org", "acme", "--principal", "alice"]);
  ok(["keys", "sign-keyring", "--key", join(root, "alice")]);
  ok(["templates", "sign", "--key", join(root, "alice")]);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("contract sign derives the manifest", { timeout: 60_000 }, () => {
  it("a planted manifest (other target, seq 2^53−1, expiry 2099) is refused and nothing is signed", () => {
    forge("b1");
    ok(["contract", "sign", "b1", "--key", join(root, "alice"), "--seq", "5"]);
    const real = JSON.parse(readFileSync(join(root, "b1", "manifest.json"), "utf8"));
    forge("b2");
    writeFileSync(
      join(root, "b2", "manifest.json"),
      canonicalJsonBytes({
        ...real,
        target: "web-2",
        seq: 2 ** 53 - 1,
        expires: "2099-01-01T00:00:00Z",
      }),
    );
    refused(["contract", "sign", "b2", "--key", join(root, "alice")], "PLB848");
    expect(existsSync(join(root, "b2", "signatures"))).toBe(false);
    // The same with only the seq or only the expiry forged.
    writeFileSync(
      join(root, "b2", "manifest.json"),
      canonicalJsonBytes({ ...real, seq: 2 ** 53 - 1 }),
    );
    refused(["contract", "sign", "b2", "--key", join(root, "alice")], "PLB848");
    // Explicit options that disagree with a co-signer's manifest are refused too.
    refused(["contract", "sign", "b1", "--key", join(root, "alice"), "--seq", "6"], "PLB848");
  });

  it("absurd seq or lifetimes are refused before anything is written", () => {
    forge("b3");
    refused(
      ["contract", "sign", "b3", "--key", join(root, "alice"), "--seq", String(2 ** 53 - 1)],
      "PLB848",
    );
    refused(
      ["contract", "sign", "b3", "--key", join(root, "alice"), "--expires-in", "3650d"],
      "PLB848",
    );
    expect(existsSync(join(root, "b3", "manifest.json"))).toBe(false);
  });

  it("a failed sign leaves nothing behind; the retry's --seq and --expires-in take effect", () => {
    forge("b4");
    refused(["contract", "sign", "b4", "--key", join(root, "stranger"), "--seq", "7"], "PLB874");
    expect(existsSync(join(root, "b4", "manifest.json"))).toBe(false);
    refused(["contract", "sign", "b4", "--key", join(root, "missing"), "--seq", "7"], "PLB002");
    expect(existsSync(join(root, "b4", "manifest.json"))).toBe(false);
    const r = JSON.parse(
      ok([
        "contract",
        "sign",
        "b4",
        "--key",
        join(root, "alice"),
        "--seq",
        "8",
        "--expires-in",
        "1d",
        "--json",
      ]).stdout,
    );
    expect(r.manifest.seq).toBe(8);
    const span = Date.parse(r.manifest.expires) - Date.parse(r.manifest.not_before);
    expect(span).toBe(86_400_000);
    ok(["contract", "verify", "b4", "--target", "web-1"]);
  });
});
