// `plumb apply` delivers the declared contracts on the real daemon: a machine from the Debian
// test image declares the repository's motd contract; the first apply creates the instance and
// delivers (journal, live config key, the file), a second apply plans "none" and sends nothing,
// `plumb contracts status` reports it, and a changed contract without enough signing keys is
// refused before anything changes.
import { cpSync, existsSync, readFileSync } from "node:fs";
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
  writeRepo,
} from "./reconcile-kit.js";

const prefix = uniquePrefix();
const machine = `${prefix}-w1`;
const ENV = { PLUMB_IMAGE_MAP: "images:debian/13=plumb-debian", PLUMB_LOCK_TIMEOUT: "120" };
const infra = (banner: string) => ({
  "infra/base.yml": BASE(prefix),
  [`infra/domains/${prefix}.yml`]: `${prefix}:\n  machines:\n    ${machine}:\n      contracts:\n        - template: motd\n          inputs: {banner: "${banner}", owner: ops}\n`,
});

describe.skipIf(skip)(`plumb apply delivers contracts${why}`, { timeout: 600_000 }, () => {
  let root: string;
  const run = (args: string[]) => plumb(["--root", root, ...args], root, { HOME: root, ...ENV });
  const journal = () => {
    const f = join(root, ".plumb", "journal", `${machine}.jsonl`);
    return existsSync(f)
      ? readFileSync(f, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as { status: string; contract: string; hash: string })
      : [];
  };

  beforeAll(async () => {
    root = tempRepo(infra("Hello from plumb apply"));
    cpSync(join(REPO, "templates"), join(root, "templates"), { recursive: true });
    cpSync(join(REPO, "templates.lock"), join(root, "templates.lock"));
    for (const args of [
      ["keys", "generate", "--out", join(root, "k1")],
      ["keys", "init", "--pub", join(root, "k1.pub"), "--org", "acme", "--principal", "alice"],
      ["keys", "sign-keyring", "--key", join(root, "k1")],
      ["templates", "sign", "--key", join(root, "k1")],
    ]) {
      const r = await run(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
  });
  afterAll(async () => {
    const d = driver();
    await cleanupPrefix(d, prefix);
    d.close();
  }, 300_000);

  it("the first apply creates the machine and delivers motd: SUCCESS, journal, live hash, the file", async () => {
    const plan = await run(["plan", "--json"]);
    const doc = JSON.parse(plan.stdout) as { contracts: { action: string; hash: string }[] };
    expect(
      doc.contracts.map((c) => c.action),
      plan.stderr,
    ).toEqual(["run"]);
    const r = await run(["apply", "--yes", "--sign-key", join(root, "k1")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✔ contract .*\/motd/);
    expect(journal().map((x) => x.status)).toEqual(["PENDING", "CLAIMED", "SUCCESS"]);
    const key = incus(
      "config",
      "get",
      `${machine}`,
      "user.plumb.contract.motd",
      "--project",
      prefix,
    );
    expect(key.stdout.trim()).toBe(doc.contracts[0]?.hash);
    const motd = incus("exec", machine, "--project", prefix, "--", "cat", "/etc/motd");
    expect(motd.stdout).toContain("Hello from plumb apply");
  });

  it("a second apply plans the contract 'none' and delivers nothing", async () => {
    const plan = await run(["plan", "--json"]);
    const doc = JSON.parse(plan.stdout) as { contracts: { action: string }[] };
    expect(doc.contracts.map((c) => c.action)).toEqual(["none"]);
    const exit = await run(["plan", "--detailed-exitcode"]);
    expect(exit.code, exit.stdout + exit.stderr).toBe(0);
    const before = journal().length;
    const r = await run(["apply", "--yes", "--sign-key", join(root, "k1")]);
    expect(r.code, r.stderr).toBe(0);
    expect(journal().length).toBe(before);
  });

  it("plumb contracts status shows the latest run", async () => {
    const r = await run(["contracts", "status", "--machine", machine, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { runs: { contract: string; status: string }[] };
    expect(doc.runs).toMatchObject([{ contract: "motd", status: "SUCCESS" }]);
    const human = await run(["contracts", "status"]);
    expect(human.stdout).toContain(machine);
    expect(human.stdout).toMatch(/motd\s+SUCCESS/);
  });

  it("a changed contract without a signing key is refused (PLB781) before anything is sent", async () => {
    writeRepo(root, infra("A new banner"));
    const before = journal().length;
    const r = await run(["apply", "--yes"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("PLB781");
    expect(journal().length).toBe(before);
    const motd = incus("exec", machine, "--project", prefix, "--", "cat", "/etc/motd");
    expect(motd.stdout).toContain("Hello from plumb apply");
  });
});
