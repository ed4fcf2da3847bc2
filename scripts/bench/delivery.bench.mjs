// Benchmark against the real daemon (scripts/incus-sandbox.sh up --with-debian), issue 12: one
// contract (the repository's motd) delivered to 30 instance targets by plumb's delivery engine
// (forge + sign per target, trust gate or bootstrap, the bundle in the exec's environment,
// plumb-verify then the contract, journal, live config key; 8 targets at once) vs a plain
// sequential loop of `incus file push` + `incus exec` of the same script (no verification, no
// journal). Target: ≤ 0.5× the loop. Both the first delivery (bootstrap installs the trust
// files) and a later one (the trust gate passes: one exec per target) are timed, the later one
// also one machine at a time (on a machine with few cores concurrency buys little: the
// CPU-seconds say so). A second anchor, the same script run through the API exec with no
// verification at all (sequential), shows the floor every delivery pays: the contract's own run
// and one exec. Each figure also says how many CPU-seconds the whole machine spent (from
// /proc/stat), which tells a CPU-bound run from a latency-bound one.
// Containers: the Debian test image in the default project, no network, removed afterwards.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./harness.mjs";

const N = 30;
const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;
/** CPU-seconds the machine has spent busy so far (all cores, /proc/stat). */
function busy() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1);
  const n = f.map(Number);
  return (n.reduce((a, b) => a + b, 0) - n[3] - n[4]) / 100;
}
async function timed(fn) {
  const c0 = busy();
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { s: seconds(t0), cpu: busy() - c0, value };
}

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
  const { ensureBootstrap, trustGate } = await dist("reconcilers/delivery/bootstrap.js");
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
  const deliver = (round, parallelism = 8) =>
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
        trustGate: trustGate(files),
        recordLive: (c, t) => t.setConfig(`user.plumb.contract.${c.name}`, c.hash),
      },
      { run: `bench-${round}`, parallelism, timeoutMs: 300_000, onFailure: "continue" },
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

    const loop = await timed(async () => {
      for (const name of names) {
        for (const argv of [
          ["file", "push", script, `${name}/root/contract.sh`],
          ["exec", name, "--", "bash", "/root/contract.sh"],
        ]) {
          const r = spawnSync("incus", argv, { encoding: "utf8" });
          if (r.status !== 0) throw new Error(`incus ${argv.join(" ")}: ${r.stderr}`);
        }
      }
    });
    const floor = await timed(async () => {
      for (const name of names) {
        const t = new IncusTransport({ api: d.api, project: "default", instance: name });
        const r = await t.run(["bash", "/root/contract.sh"]);
        if (r.code !== 0) throw new Error(`${name}: exit ${r.code}`);
      }
    });
    const first = await timed(() => deliver(1));
    const again = await timed(() => deliver(2));
    const serial = await timed(() => deliver(3, 1));
    const bad = [...first.value, ...again.value, ...serial.value].filter(
      (r) => r.status !== "SUCCESS",
    );
    if (bad.length > 0) throw new Error(`delivery failed: ${JSON.stringify(bad.slice(0, 3))}`);
    Object.assign(result, {
      loop_s: loop.s,
      loop_cpu_s: loop.cpu,
      floor_s: floor.s,
      floor_cpu_s: floor.cpu,
      deliver_first_s: first.s,
      deliver_first_cpu_s: first.cpu,
      deliver_again_s: again.s,
      deliver_again_cpu_s: again.cpu,
      deliver_serial_s: serial.s,
      deliver_serial_cpu_s: serial.cpu,
      ratio_first: first.s / loop.s,
      ratio_again: again.s / loop.s,
      ratio_floor: floor.s / loop.s,
    });
    const line = (what, x, extra = "") =>
      console.log(
        `${what.padEnd(58)} ${x.s.toFixed(2).padStart(6)} s  (${(x.s / loop.s).toFixed(2)}× the loop; ${x.cpu.toFixed(1)} CPU-s)${extra}`,
      );
    line(`incus file push + incus exec loop, ${N} targets`, loop);
    line(`floor: the bare script through the API exec, sequential`, floor);
    line(`plumb delivery, first (bootstrap installs), ${N} targets`, first);
    line(`plumb delivery, again (trust gate passes), ${N} targets`, again, "; target ≤ 0.5×");
    line(`plumb delivery, again, one machine at a time`, serial);
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
