// Consent at `plumb apply` on the real daemon (issue 12 item 2): a contract whose catalog action
// is HIGH risk / ELEVATED_CONFIRM is refused without approvals even with --yes (PLB920, apply's
// approvals check counts high-risk contracts, at least 1); a contract whose action requires the
// admin role, signed at apply by a contract key without it, is refused (PLB971), audited
// (`contract.denied`) and journaled FAILED. Both before any change: no Incus object is created.
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BASE,
  cleanupPrefix,
  driver,
  incus,
  plumb,
  REPO,
  skip,
  tempRepo,
  uniquePrefix,
  why,
} from "./reconcile-kit.js";

const prefix = uniquePrefix();
const machine = `${prefix}-w1`;
const ENV = { PLUMB_IMAGE_MAP: "images:debian/13=plumb-debian", PLUMB_LOCK_TIMEOUT: "120" };

describe.skipIf(skip)(`consent at plumb apply${why}`, { timeout: 600_000 }, () => {
  let root: string;
  const run = (args: string[]) => plumb(["--root", root, ...args], root, { HOME: root, ...ENV });
  const ok = async (args: string[]) => {
    const r = await run(args);
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r;
  };
  /** Rewrites the catalog action package-install (risk, consent, role), re-locks and signs. */
  const setAction = async (risk: string, consent: string, role: string) => {
    const file = join(root, "templates", "actions", "package-install.yml");
    const text = readFileSync(join(REPO, "templates", "actions", "package-install.yml"), "utf8")
      .replace("risk_level: LOW", `risk_level: ${risk}`)
      .replace("consent_level: NOTICE", `consent_level: ${consent}`)
      .replace("role: operator", `role: ${role}`);
    writeFileSync(file, text);
    await ok(["templates", "lock"]);
    await ok(["templates", "sign", "--key", join(root, "alice")]);
  };

  beforeAll(async () => {
    root = tempRepo({
      "infra/base.yml": BASE(prefix),
      [`infra/domains/${prefix}.yml`]: `${prefix}:\n  machines:\n    ${machine}:\n      contracts:\n        - template: motd\n          inputs: {banner: "consent", owner: ops}\n`,
    });
    cpSync(join(REPO, "templates"), join(root, "templates"), { recursive: true });
    cpSync(join(REPO, "templates.lock"), join(root, "templates.lock"));
    // motd composes the catalog action whose levels the tests change.
    const motd = join(root, "templates", "motd", "template.yml");
    writeFileSync(
      motd,
      `${readFileSync(motd, "utf8")}actions:\n  - action: package-install\n    params: {package: coreutils}\n`,
    );
    await ok(["keys", "generate", "--out", join(root, "alice")]);
    await ok(["keys", "generate", "--out", join(root, "bob")]);
    await ok([
      "keys",
      "init",
      "--pub",
      join(root, "alice.pub"),
      "--org",
      "acme",
      "--principal",
      "alice",
    ]);
    await ok(["keys", "trust", join(root, "bob.pub"), "--principal", "bob", "--role", "contract"]);
    await ok(["keys", "sign-keyring", "--key", join(root, "alice")]);
  });
  afterAll(async () => {
    const d = driver();
    await cleanupPrefix(d, prefix);
    d.close();
  });

  const nothingCreated = () =>
    expect(incus("project", "list", "--format", "csv").stdout).not.toContain(prefix);

  it("HIGH risk / ELEVATED_CONFIRM without approvals: refused with --yes, before any change", async () => {
    await setAction("HIGH", "ELEVATED_CONFIRM", "operator");
    const plan = JSON.parse((await run(["plan", "--json"])).stdout) as {
      contracts: { risk: string; consent: string; action: string }[];
      risk: { items: { id: string; risks: string[] }[] };
    };
    expect(plan.contracts).toMatchObject([
      { risk: "high", consent: "ELEVATED_CONFIRM", action: "run" },
    ]);
    const r = await run(["apply", "--yes", "--sign-key", join(root, "alice")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("PLB920");
    expect(r.stderr).toContain("high-risk-contract");
    nothingCreated();
  });

  it("an admin action signed by a contract key without the admin role: PLB971, audited, journaled FAILED", async () => {
    await setAction("LOW", "NOTICE", "admin");
    const r = await run(["apply", "--yes", "--sign-key", join(root, "bob")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[PLB971]");
    nothingCreated();
    const journal = join(root, ".plumb", "journal", `${machine}.jsonl`);
    expect(existsSync(journal)).toBe(true);
    const records = readFileSync(journal, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { status: string; code: string; contract: string });
    expect(records).toMatchObject([{ contract: "motd", status: "FAILED", code: "PLB971" }]);
    const audit = readFileSync(join(root, ".plumb", "audit", "audit.jsonl"), "utf8");
    expect(audit).toContain('"type":"contract.denied"');
  });
});
