// Benchmark against the real daemon (scripts/incus-sandbox.sh up --with-debian), issue 12: one
// contract (the repository's motd) delivered to 30 instance targets by plumb's delivery engine
// (forge + sign per target, bootstrap, push through the file API, plumb-verify then the contract,
// journal, live config key; 8 targets at once) vs a plain sequential loop of `incus file push` +
// `incus exec` of the same script (no verification, no journal). Target: ≤ 0.5× the loop.
// Both the first delivery (bootstrap installs the trust files) and a later one (bootstrap only
// probes) are timed. Containers: the Debian test image in the default project, no network,
// removed afterwards.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./harness.mjs";

const N = 30;
const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

export async function bench() {
  const dist = (p) => import(join(REPO, "dist", p));
  const { connectIncus } = await dist("reconcilers/drivers/incus/connect.js");
  const { IncusTransport } = await dist("reconcilers/delivery/incus-transport.js");
  const { deliverContracts } = await dist("reconcilers/delivery/deliver.js");
  const { ensureBootstrap } = await dist("reconcilers/delivery/bootstrap.js");
  const { signedBundle } = await dist("reconcilers/delivery/bundle.js");
  const { checkRepoTemplates } = await dist("cli/templates-kit.js");
  const { generateEd25519Key } = await dist("core/signing/openssh-private-key.js");
  const { keySigner } = await dist("core/signing/signer.js");
  const { newKeyring } = await dist("core/trust/keyring.js");
  const { targetTrustFiles } = await dist("core/trust/target-files.js");

  const id = Math.random().toString(36).slice(2, 6);
  const names = Array.from({ length: N }, (_, i) => `bdl-${id}-${i}`);
  const d = connectIncus({ kind: "unix" });
  const key = generateEd25519Key("bench");
  const keyring = newKeyring("bench", key.publicKey, "bench", "2099-01-01T00:00:00Z");
  const motd = (await checkRepoTemplates(REPO)).templates.find((t) => t.manifest.slug === "motd");
  const inputs = { banner: "bench", owner: "ops" };
  const root = mkdtempSync(join(tmpdir(), "plumb-bench-delivery-"));
  const change = (name, round) => ({
    machine: name,
    domain: "bench",
    targetKind: "instance",
    project: "default",
    instance: name,
    name: "motd",
    template: `motd@${motd.manifest.version}`,
    hash: `sha256:bench-${round}`,
    liveHash: null,
    action: "run",
    reason: "new",
    risk: "low",
    consent: "NONE",
    roles: [],
    inputs,
  });
  const files = targetTrustFiles(keyring);
  const deliver = (round) =>
    deliverContracts(
      names.map((n) => change(n, round)),
      {
        root,
        keyring,
        signers: [keySigner(key)],
        gitCommit: null,
        template: () => motd,
        inputs: () => ({ values: inputs, secrets: [] }),
        transport: async (c) =>
          new IncusTransport({
            api: d.api,
            project: "default",
            instance: c.instance,
            machine: c.machine,
          }),
        bootstrap: (t) => ensureBootstrap(t, files),
        recordLive: (c, t) => t.setConfig(`user.plumb.contract.${c.name}`, c.hash),
      },
      { run: `bench-${round}`, parallelism: 8, timeoutMs: 300_000, onFailure: "continue" },
    );
  const result = {};
  try {
    console.log(`launching ${N} containers from plumb-debian (untimed)…`);
    await pool(names, 8, (name) =>
      d.createInstance("default", {
        name,
        source: { type: "image", alias: "plumb-debian" },
        ephemeral: true,
        start: true,
      }),
    );
    // The loop's script: the same compiled contract, forged and written once.
    const bundle = await signedBundle({
      template: motd,
      machine: names[0],
      inputs,
      gitCommit: null,
      keyring,
      signers: [keySigner(key)],
      seq: 1,
      now: new Date(),
    });
    const script = join(root, "contract.sh");
    writeFileSync(script, bundle.files.find((f) => f.name === "contract.sh").bytes);

    let t0 = process.hrtime.bigint();
    for (const name of names) {
      for (const argv of [
        ["file", "push", script, `${name}/root/contract.sh`],
        ["exec", name, "--", "bash", "/root/contract.sh"],
      ]) {
        const r = spawnSync("incus", argv, { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`incus ${argv.join(" ")}: ${r.stderr}`);
      }
    }
    const loop = seconds(t0);

    t0 = process.hrtime.bigint();
    const first = await deliver(1);
    const firstS = seconds(t0);
    t0 = process.hrtime.bigint();
    const again = await deliver(2);
    const againS = seconds(t0);
    const bad = [...first, ...again].filter((r) => r.status !== "SUCCESS");
    if (bad.length > 0) throw new Error(`delivery failed: ${JSON.stringify(bad.slice(0, 3))}`);
    result.loop_s = loop;
    result.deliver_first_s = firstS;
    result.deliver_again_s = againS;
    result.ratio_first = firstS / loop;
    result.ratio_again = againS / loop;
    console.log(`incus file push + incus exec loop, ${N} targets:  ${loop.toFixed(2)} s`);
    console.log(
      `plumb delivery (first: bootstrap installs), ${N} targets:  ${firstS.toFixed(2)} s  (${result.ratio_first.toFixed(2)}× the loop)`,
    );
    console.log(
      `plumb delivery (again: bootstrap current),  ${N} targets:  ${againS.toFixed(2)} s  (${result.ratio_again.toFixed(2)}× the loop; target ≤ 0.5×)`,
    );
  } finally {
    await pool(names, 8, async (name) => {
      await d.setInstanceState("default", name, "stop", { force: true }).catch(() => undefined);
      await d.deleteInstance("default", name).catch(() => undefined);
    });
    d.close();
    rmSync(root, { recursive: true, force: true });
  }
  return result;
}
