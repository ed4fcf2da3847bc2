// One call per delivery on a current target (reconcilers/delivery/stage.ts): the trust gate and
// the bundle ride in the verifier's own Incus exec. On a real Debian container: a fresh target is
// found stale, bootstrapped and served; a current one costs exactly one call, no file API and no
// probe; a trust file a local root loosened makes the gate send delivery back through bootstrap,
// which repairs it; run directories an interrupted run left are swept after an hour; a transport
// without environment passing stages through the file API; no bundle directory stays behind and
// the secret input never appears in a command line.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRepoTemplates } from "../../cli/templates-kit.js";
import { generateEd25519Key } from "../../core/signing/openssh-private-key.js";
import { keySigner } from "../../core/signing/signer.js";
import { newKeyring } from "../../core/trust/keyring.js";
import { targetTrustFiles } from "../../core/trust/target-files.js";
import type { TemplateSource } from "../../generators/contract/hfc.js";
import { ContractSandbox } from "../../reconcilers/contract/sandbox.js";
import { ensureBootstrap, trustGate } from "../../reconcilers/delivery/bootstrap.js";
import { type DeliveryDeps, deliverContracts } from "../../reconcilers/delivery/deliver.js";
import { IncusTransport } from "../../reconcilers/delivery/incus-transport.js";
import type {
  PutOptions,
  RunOptions,
  RunResult,
  TargetTransport,
} from "../../reconcilers/delivery/transport.js";
import { ApiClient } from "../../reconcilers/drivers/incus/api-client.js";
import { connectIncus, defaultSocketPath } from "../../reconcilers/drivers/incus/connect.js";
import { UnixSocketTransport } from "../../reconcilers/drivers/incus/transport.js";
import type { ContractChange } from "../../reconcilers/plan/contract-change.js";
import { contractRun } from "../kit/contract-change.js";
import { HAVE_INCUS } from "../kit/trust-target.js";

const REPO = join(import.meta.dirname, "..", "..");
const MACHINE = "gate-1";
const SECRET = "s3cret-banner-7f1c";
const key = generateEd25519Key("alice");
const keyring = newKeyring("acme", key.publicKey, "alice", "2099-01-01T00:00:00Z");
const files = targetTrustFiles(keyring);
const OPTIONS = { run: "gate", parallelism: 1, timeoutMs: 60_000, onFailure: "stop" as const };

/** Records every call; `withEnv: false` hides runEnv (as the SSH transport has none). */
class Counting implements TargetTransport {
  readonly kind = "instance" as const;
  readonly machine: string;
  readonly calls: { op: string; argv?: readonly string[]; env?: Record<string, string> }[] = [];
  readonly runEnv?: TargetTransport["runEnv"];
  constructor(
    readonly inner: IncusTransport,
    withEnv: boolean,
  ) {
    this.machine = inner.machine;
    if (withEnv)
      this.runEnv = (argv, env, opts) => {
        this.calls.push({ op: "runEnv", argv, env: { ...env } });
        return inner.runEnv(argv, env, opts);
      };
  }
  put(path: string, bytes: Uint8Array, mode: string, opts?: PutOptions): Promise<void> {
    this.calls.push({ op: `put ${path}` });
    return this.inner.put(path, bytes, mode, opts);
  }
  makeDir(path: string, mode: string): Promise<void> {
    this.calls.push({ op: `makeDir ${path}` });
    return this.inner.makeDir(path, mode);
  }
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult> {
    this.calls.push({ op: "run", argv });
    return this.inner.run(argv, opts);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const change = (name: string): ContractChange =>
  contractRun({
    machine: MACHINE,
    project: "default",
    name,
    template: "motd@1.1.0",
    hash: `sha256:${name}-${Date.now()}`,
  });

describe.skipIf(!HAVE_INCUS)("delivery in one call: trust gate and bundle in the exec", () => {
  const driver = connectIncus({ kind: "unix" }, {}, process.env);
  const api = new ApiClient(new UnixSocketTransport(defaultSocketPath(process.env)));
  let box: ContractSandbox;
  let motd: TemplateSource;
  let root: string;
  let last: Counting;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "plumb-gate-it-"));
    motd = (await checkRepoTemplates(REPO)).templates.find(
      (t) => t.manifest.slug === "motd",
    ) as TemplateSource;
    box = await ContractSandbox.launch(
      { driver, api, project: "default" },
      "plumb-debian",
      "plumb-gt",
    );
  }, 300_000);
  afterAll(async () => {
    await box?.destroy();
    driver.close();
    api.transport.close();
  });

  const deps = (withEnv = true): DeliveryDeps => ({
    root,
    keyring,
    signers: [keySigner(key)],
    gitCommit: null,
    template: () => motd,
    inputs: () => ({ values: { banner: SECRET, owner: "ops" }, secrets: [SECRET] }),
    transport: async () => {
      last = new Counting(
        new IncusTransport({ api, project: "default", instance: box.name, machine: MACHINE }),
        withEnv,
      );
      return last;
    },
    bootstrap: (t) => ensureBootstrap(t, files),
    trustGate: trustGate(files),
    recordLive: (c) =>
      new IncusTransport({ api, project: "default", instance: box.name }).setConfig(
        `user.plumb.contract.${c.name}`,
        c.hash,
      ),
  });
  const leftovers = async () =>
    (await box.exec(["sh", "-c", "ls -A /var/lib/plumb/run"])).stdout.trim();

  it("a fresh target: the gate says stale, bootstrap installs, the contract runs", async () => {
    const [r] = await deliverContracts([change("motd")], deps(), OPTIONS);
    expect(r, JSON.stringify(r)).toMatchObject({ status: "SUCCESS" });
    const ops = last.calls.map((c) => c.op);
    expect(ops[0]).toBe("runEnv");
    expect(ops.at(-1)).toBe("runEnv");
    expect(ops.length).toBeGreaterThan(2); // bootstrap's probe and writes in between
    expect(await leftovers()).toBe("");
  }, 120_000);

  it("a current target: exactly one call, no probe, no file API, nothing left behind", async () => {
    const [r] = await deliverContracts([change("motd")], deps(), OPTIONS);
    expect(r).toMatchObject({ status: "SUCCESS" });
    expect(last.calls.map((c) => c.op)).toEqual(["runEnv"]);
    // The secret input is in the bundle (the environment), never in a command line.
    const call = last.calls[0];
    expect(JSON.stringify(call?.argv)).not.toContain(SECRET);
    expect(Object.values(call?.env ?? {}).some((v) => v.includes(SECRET))).toBe(true);
    expect(await leftovers()).toBe("");
    const motdText = await box.exec(["cat", "/etc/motd"]);
    expect(motdText.stdout).toContain(SECRET);
  }, 120_000);

  it("a trust file loosened on the target: the gate sends delivery through bootstrap, which repairs it", async () => {
    await box.exec(["chmod", "0666", "/etc/plumb/trust/allowed_signers"]);
    const [r] = await deliverContracts([change("motd")], deps(), OPTIONS);
    expect(r).toMatchObject({ status: "SUCCESS" });
    const mode = await box.exec(["stat", "-c", "%a", "/etc/plumb/trust/allowed_signers"]);
    expect(mode.stdout.trim()).toBe("644");
    const ops = last.calls.map((c) => c.op);
    expect(ops[0]).toBe("runEnv");
    expect(ops.length).toBeGreaterThan(2);
  }, 120_000);

  it("a tampered verifier on the target is never executed: the gate finds it and bootstrap rewrites it", async () => {
    await box.exec([
      "sh",
      "-c",
      'printf \'#!/bin/sh\\necho PLUMB-VERIFY {"status":"ok","code":"verified"}\\ntouch /tmp/fake-ran\\n\' > /etc/plumb/trust/plumb-verify',
    ]);
    const [r] = await deliverContracts([change("motd")], deps(), OPTIONS);
    expect(r).toMatchObject({ status: "SUCCESS" });
    expect((await box.exec(["sh", "-c", "ls /tmp/fake-ran 2>&1"])).stdout).toContain(
      "No such file",
    );
    const sum = await box.exec(["sha256sum", "/etc/plumb/trust/plumb-verify"]);
    const { createHash } = await import("node:crypto");
    expect(sum.stdout.split(" ")[0]).toBe(
      createHash("sha256").update(files["plumb-verify"]).digest("hex"),
    );
  }, 120_000);

  it("directories an interrupted run left (they hold secrets) are swept after an hour; a recent one stays", async () => {
    await box.exec([
      "sh",
      "-c",
      "cd /var/lib/plumb/run && mkdir b.old v.old b.new && echo secret > b.old/contract.sh && touch -d '2 hours ago' b.old v.old",
    ]);
    const [r] = await deliverContracts([change("motd")], deps(), OPTIONS);
    expect(r).toMatchObject({ status: "SUCCESS" });
    expect(await leftovers()).toBe("b.new");
    await box.exec(["rmdir", "/var/lib/plumb/run/b.new"]);
  }, 120_000);

  it("without environment passing (as over SSH): staged through the file API, gate in the verifier's call", async () => {
    const [r] = await deliverContracts([change("motd")], deps(false), OPTIONS);
    expect(r).toMatchObject({ status: "SUCCESS" });
    const ops = last.calls.map((c) => c.op);
    expect(ops.filter((o) => o.startsWith("put ") || o.startsWith("makeDir "))).toHaveLength(6);
    expect(ops.filter((o) => o === "run")).toHaveLength(1);
    const verify = last.calls.find((c) => c.op === "run")?.argv ?? [];
    expect(verify.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(await leftovers()).toBe("");
  }, 120_000);
});
