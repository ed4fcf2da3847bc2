// Benchmark against the real daemon (scripts/incus-sandbox.sh up), issue 4:
//  (a) a no-op plan of 100 instances in 10 projects, in the same run: plumb's plan in-process
//      (API calls, time) vs a minimal raw read of the same objects (target ≤ 1.1×), and plumb's
//      whole process vs the per-object CLI read anklume's roles do (`incus list --format json`
//      per project plus `incus config show` per instance; target ≥ 8× faster).
//  (b) creating 30 containers: `plumb apply` (whole process) vs a sequential `incus launch` loop
//      vs raw API calls (POST with start, waited) at concurrency 1, 2, 4, 8 — in a project plumb
//      prepared, so every method does the same work. Target ≤ 1.15× the raw API at its best.
// Bridges have no addresses, instances are the busybox test image; everything is removed after.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { stringify } from "yaml";
import { connectIncus, defaultSocketPath } from "../../dist/reconcilers/drivers/incus/connect.js";
import { cleanup, fmt, PLUMB, summary, tempDir, time, writeTree } from "./harness.mjs";

const ENV = {
  PLUMB_BRIDGE_ADDRESSES: "none",
  PLUMB_IMAGE_MAP: "images:debian/13=plumb-busybox",
  PLUMB_LOCK_TIMEOUT: "600",
};

function estate(name, domains, perDomain) {
  const ds = {};
  for (const d of domains) {
    const machines = {};
    for (let j = 0; j < perDomain; j++)
      machines[`${d}-${j}`] = { ephemeral: true, config: { "limits.cpu": "1" } };
    ds[d] = { machines };
  }
  return {
    "infra/base.yml": stringify({
      project_name: name,
      global: { addressing: { base_octet: 10 }, default_os_image: "images:debian/13" },
    }),
    "infra/domains/all.yml": stringify(ds),
  };
}

function plumb(dir, ...args) {
  const r = spawnSync(process.execPath, [PLUMB, ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...ENV },
  });
  if (r.status !== 0 && r.status !== 2)
    throw new Error(`plumb ${args.join(" ")} exited ${r.status}:\n${r.stderr.slice(-2000)}`);
  return r;
}

const incus = (...args) => {
  const r = spawnSync("incus", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`incus ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

async function deleteAll(d, project, prefix) {
  const list = (await d.listInstances(project)).filter((i) => i.name.startsWith(prefix));
  await pool(list, 8, async (i) => {
    await d.setInstanceState(project, i.name, "stop", { force: true });
    await d.deleteInstance(project, i.name);
  });
}

/** The fewest calls that fetch what a no-op plan compares, in parallel as plumb reads them. */
async function rawRead(d, domains) {
  const bridges = domains.map((p) => `net-${p}`);
  await Promise.all([
    d.listProjects(),
    d.collection("instances").listAll(),
    d.collection("profiles").listAll(),
    d
      .collection("networks")
      .names("default")
      .then(() => pool(bridges, 8, (n) => d.getNetwork("default", n))),
    d
      .collection("storage-pools")
      .names("default")
      .then(() => d.collection("storage-pools/default/volumes/custom").listAll()),
  ]);
}

async function noopPlan(runs) {
  const id = Math.random().toString(36).slice(2, 6);
  const domains = Array.from({ length: 10 }, (_, i) => `bn${id}${i}`);
  const dir = tempDir("incus-noop");
  writeTree(dir, estate(`bench-${id}`, domains, 10));
  const out = [];
  try {
    console.log("setting up 100 instances in 10 projects (untimed)…");
    plumb(dir, "apply", "--yes", "--no-snapshot", "--parallelism", "8");
    // API calls of one plan, counted in-process through the same modules the CLI uses.
    const { makePlan } = await import("../../dist/reconcilers/plan/make-plan.js");
    const { loadInfra } = await import("../../dist/core/source/infra-source.js");
    const { validateInfra } = await import("../../dist/validators/validate.js");
    const { buildEstate } = await import("../../dist/core/model/estate.js");
    const files = estate(`bench-${id}`, domains, 10);
    const loaded = loadInfra({
      mode: "dir",
      dir: "infra",
      base: { path: "infra/base.yml", content: files["infra/base.yml"] },
      domains: [{ path: "infra/domains/all.yml", content: files["infra/domains/all.yml"] }],
    });
    const d = connectIncus({ kind: "unix" });
    const estateModel = buildEstate(validateInfra(loaded).document);
    const planInput = () => ({
      estate: estateModel,
      autoCleanup: false,
      settings: {
        bridgeAddresses: "none",
        storagePool: "default",
        imageMap: { "images:debian/13": "plumb-busybox" },
        remotes: {},
      },
      gitHead: null,
      toolVersion: "bench",
      now: new Date(),
    });
    const { plan } = await makePlan({ ...planInput(), driver: d, target: d.target });
    const calls = d.apiCalls();
    // What plumb no longer does: `GET /1.0/networks?recursion=1` makes Incus compute `used_by` of
    // every interface of the host (~30 ms per bridge at 100+ instances).
    const netSamples = [];
    for (let r = 0; r < runs; r++) {
      const t0 = process.hrtime.bigint();
      await d.listNetworks("default");
      netSamples.push(seconds(t0));
    }
    const nets = summary(netSamples.sort((a, b) => a - b));
    if (plan.summary.actionable !== 0) throw new Error("the no-op plan is not empty");
    // The same plan, in-process (no Node start-up, no YAML): what plumb's reading costs.
    const inProcess = [];
    for (let r = 0; r < runs; r++) {
      const t0 = process.hrtime.bigint();
      await makePlan({ ...planInput(), driver: d, target: d.target });
      inProcess.push(seconds(t0));
    }
    const planIn = summary(inProcess.sort((a, b) => a - b));
    // The minimal raw read of the same objects: projects, instances and profiles of all projects,
    // the estate's bridges one GET each, the pools and their custom volumes (one call each), with
    // the same socket and no processing.
    const rawSamples = [];
    for (let r = 0; r < runs; r++) {
      const t0 = process.hrtime.bigint();
      await rawRead(d, domains);
      rawSamples.push(seconds(t0));
    }
    const raw = summary(rawSamples.sort((a, b) => a - b));
    d.close();
    const ours = summary(
      time([process.execPath, PLUMB, "plan", "--detailed-exitcode"], { cwd: dir, runs, env: ENV }),
    );
    const cliRuns = Math.max(1, Math.min(runs, 3));
    const samples = [];
    for (let r = 0; r < cliRuns; r++) {
      const t0 = process.hrtime.bigint();
      for (const p of domains) {
        for (const i of JSON.parse(incus("list", "--project", p, "--format", "json")))
          incus("config", "show", i.name, "--project", p);
      }
      samples.push(seconds(t0));
    }
    const cli = summary(samples.sort((a, b) => a - b));
    const ratio = cli.median / ours.median;
    const overRaw = planIn.median / raw.median;
    console.log(`(a) no-op plan, 100 instances in 10 projects (medians of ${runs}):`);
    console.log(
      `    plumb plan, in-process:   ${calls} API calls, ${fmt(planIn.median)} (min ${fmt(planIn.min)})`,
    );
    console.log(
      `    minimal raw read:         ${fmt(raw.median)} (min ${fmt(raw.min)}) → plumb is ${overRaw.toFixed(2)}× it (target ≤ 1.1×) ${overRaw <= 1.1 ? "OK" : "MISSED"}`,
    );
    console.log(
      `    plumb plan, whole process: ${fmt(ours.median)} (min ${fmt(ours.min)}; Node start-up and YAML included)`,
    );
    console.log(
      `    per-object incus CLI:     110 processes, ${fmt(cli.median)} (min ${fmt(cli.min)}) → plumb is ${ratio.toFixed(1)}× faster (target ≥ 8×) ${ratio >= 8 ? "OK" : "MISSED"}`,
    );
    console.log(`    (not done any more) GET /1.0/networks?recursion=1 alone: ${fmt(nets.median)}`);
    out.push(
      { name: "noop-plan-plumb", apiCalls: calls, ...ours },
      { name: "noop-plan-in-process", ...planIn },
      { name: "noop-raw-read", ...raw },
      { name: "noop-plan-over-raw", ratio: overRaw },
      { name: "noop-networks-listing", ...nets },
      { name: "noop-plan-incus-cli", ...cli },
      { name: "noop-plan-ratio", ratio },
    );
  } finally {
    plumb(dir, "flush", "--force");
    cleanup(dir);
  }
  return out;
}

async function create30(runs) {
  const id = Math.random().toString(36).slice(2, 6);
  const project = `bc${id}`;
  const dir = tempDir("incus-create");
  const out = [];
  const d = connectIncus({ kind: "unix" });
  const n = Math.max(1, Math.min(runs, 3));
  try {
    // The project, bridge and default profile exist for every method (plumb prepares them).
    writeTree(dir, estate(`benchc-${id}`, [project], 0));
    plumb(dir, "apply", "--yes");
    const raw = {};
    for (const c of [1, 2, 4, 8]) {
      const samples = [];
      for (let r = 0; r < n; r++) {
        const names = Array.from({ length: 30 }, (_, i) => `raw${c}-${i}`);
        const t0 = process.hrtime.bigint();
        await pool(names, c, (name) =>
          d.createInstance(project, {
            name,
            source: { type: "image", alias: "plumb-busybox" },
            start: true,
          }),
        );
        samples.push(seconds(t0));
        await deleteAll(d, project, `raw${c}-`);
      }
      raw[c] = summary(samples.sort((a, b) => a - b));
    }
    const best = Object.entries(raw).sort((a, b) => a[1].median - b[1].median)[0];
    const launch = [];
    for (let r = 0; r < Math.min(n, 2); r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 30; i++)
        incus("launch", "plumb-busybox", `cli-${i}`, "--project", project);
      launch.push(seconds(t0));
      await deleteAll(d, project, "cli-");
    }
    const launchS = summary(launch.sort((a, b) => a - b));
    const plumbRuns = {};
    for (const par of [...new Set(["4", best[0]])]) {
      const samples = [];
      for (let r = 0; r < n; r++) {
        writeTree(dir, estate(`benchc-${id}`, [project], 30));
        const t0 = process.hrtime.bigint();
        plumb(dir, "apply", "--yes", "--no-snapshot", "--parallelism", par);
        samples.push(seconds(t0));
        writeTree(dir, estate(`benchc-${id}`, [project], 0));
        await deleteAll(d, project, `${project}-`);
      }
      plumbRuns[par] = summary(samples.sort((a, b) => a - b));
    }
    console.log(`(b) creating 30 containers (median of ${n}):`);
    console.log(`    incus launch loop:     ${fmt(launchS.median)}`);
    for (const [c, s] of Object.entries(raw))
      console.log(`    raw API, concurrency ${c}: ${fmt(s.median)}`);
    for (const [par, s] of Object.entries(plumbRuns)) {
      const ratio = s.median / best[1].median;
      console.log(
        `    plumb apply --parallelism ${par} (whole process): ${fmt(s.median)} → ${ratio.toFixed(2)}× the raw API at its best (concurrency ${best[0]}; target ≤ 1.15×) ${ratio <= 1.15 ? "OK" : "MISSED"}`,
      );
      out.push({ name: `create30-plumb-p${par}`, ratio, ...s });
    }
    out.push(
      { name: "create30-launch-loop", ...launchS },
      ...Object.entries(raw).map(([c, s]) => ({ name: `create30-raw-c${c}`, ...s })),
    );
  } finally {
    await deleteAll(d, project, "").catch(() => undefined);
    d.close();
    writeTree(dir, estate(`benchc-${id}`, [project], 0));
    plumb(dir, "flush", "--force");
    cleanup(dir);
  }
  return out;
}

export async function bench({ runs = 5 } = {}) {
  if (!existsSync(defaultSocketPath(process.env))) {
    console.log("skipped: no Incus socket (run `sudo scripts/incus-sandbox.sh up`)");
    return [];
  }
  // PLUMB_BENCH_ONLY=noop|create runs one half.
  const only = process.env.PLUMB_BENCH_ONLY;
  return [
    ...(only === "create" ? [] : await noopPlan(runs)),
    ...(only === "noop" ? [] : await create30(runs)),
  ];
}
