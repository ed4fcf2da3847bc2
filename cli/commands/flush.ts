// `plumb flush --force`: destroys every Incus object the estate owns (instances, profiles,
// projects, bridges: the plan of an empty estate with auto_cleanup, applied under the lock) and
// the generated Ansible files. Objects plumb does not own are listed, never touched.

import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { removeAnchor } from "../../core/audit/anchor.js";
import { PlumbError } from "../../core/errors.js";
import { NO_GIT } from "../../core/io/git.js";
import { RunJournal, timestamp } from "../../core/io/plumb-state.js";
import { folderUnder } from "../../core/model/safe-path.js";
import { MANAGED_BEGIN } from "../../generators/ansible/managed-section.js";
import { GENERATED_DIRS } from "../../generators/ansible/render.js";
import { runApply } from "../../reconcilers/apply/run-apply.js";
import { settleOperations } from "../../reconcilers/apply/settle.js";
import { processLockEnv } from "../../reconcilers/lock/process-env.js";
import { isActionable, refLabel } from "../../reconcilers/model.js";
import { sealPlan } from "../../reconcilers/plan/plan-document.js";
import { computeChanges, observe, observedRecords } from "../../reconcilers/plan/planner.js";
import { watchApply } from "../render/apply-progress.js";
import { loadEstate, lockTimeout, openSession, toolVersion } from "../session.js";
import type { CommandModule } from "../spec.js";

/** Generated files: `*.yml` in inventory/, group_vars/, host_vars/ holding a managed section. */
function generatedFiles(root: string): string[] {
  const out: string[] = [];
  for (const dir of GENERATED_DIRS) {
    let names: string[] = [];
    try {
      names = readdirSync(join(root, dir));
    } catch {
      continue;
    }
    for (const n of names.filter((x) => x.endsWith(".yml")).sort()) {
      const rel = `${dir}/${n}`;
      try {
        if (readFileSync(join(root, rel), "utf8").includes(MANAGED_BEGIN)) out.push(rel);
      } catch {
        // unreadable or a folder: not ours
      }
    }
  }
  return out;
}

export const run: CommandModule["run"] = async (ctx, values) => {
  const out = ctx.output;
  const s = out.style;
  if (values.force !== true) {
    throw new PlumbError(
      "PLB723",
      "flush destroys every Incus object of the estate and the generated files; it needs --force",
    );
  }
  const lockWaitSeconds = lockTimeout(ctx, values);
  const { estate } = loadEstate(ctx, values);
  const owner = estate.projectName;
  const session = openSession(ctx, values);
  try {
    const none = { projects: new Set<string>(), networks: new Set<string>() };
    const scope = { owner, disabled: none };
    // A flush or apply killed mid-way may have left operations running: let them finish first.
    const owned = (await session.driver.listProjects()).filter(
      (x) => x.config?.["user.plumb.owner"] === owner,
    );
    await settleOperations(session.driver, new Set(owned.map((x) => x.name)), {
      timeoutMs: 120_000,
    });
    const observation = await observe(session.driver, scope);
    const changes = computeChanges({
      desired: [],
      observed: observation.observed,
      scope,
      autoCleanup: true,
    });
    const server = await session.driver.server();
    const plan = sealPlan({
      createdAt: new Date().toISOString(),
      tool: { name: "plumb", version: toolVersion() },
      owner,
      target: session.target,
      git: NO_GIT,
      limit: null,
      projects: observation.projects,
      settings: { bridgeAddresses: "declared", storagePool: "", imageMap: {}, autoCleanup: true },
      host: {
        vmSupported: /qemu/.test(String(server.environment?.driver ?? "")),
        serverVersion: "",
      },
      observed: observedRecords([], observation.observed, changes, scope),
      changes,
      risk: { items: [] },
    });
    const runId = `${timestamp()}-${randomBytes(3).toString("hex")}`;
    const journal = new RunJournal(session.root, runId);
    await journal.writeJson("plan.json", plan);
    const watcher = out.json
      ? undefined
      : watchApply(out, plan.changes.filter(isActionable).length, "flush");
    const report = await runApply({
      plan,
      driver: session.driver,
      target: session.target,
      options: {
        allowRestart: true,
        snapshot: false,
        keep: 3,
        concurrency: 4,
        stopTimeout: 10,
        leaseMs: 60_000,
        lockWaitMs: lockWaitSeconds * 1000,
      },
      run: runId,
      command: "plumb flush",
      lockEnv: processLockEnv(),
      timestamp: timestamp(),
      recordSnapshots: async () => undefined,
      journal: (type, data) => journal.event(type, data),
      onProgress: watcher?.onProgress,
    }).finally(() => watcher?.progress.stop());
    const failed = report.results.filter((r) => r.status !== "done");
    const ansible = folderUnder(session.root, estate.ansibleDir ?? ".");
    const files = generatedFiles(ansible);
    for (const f of files) unlinkSync(join(ansible, f));
    // Unowned objects inside the projects read, and same-named ones: reported, never touched.
    const names = new Set(estate.domains.flatMap((d) => [d.project, d.network]));
    const untouched = observation.observed.filter(
      (o) =>
        o.ownership !== "owned" &&
        o.ref.kind !== "instance-state" &&
        (o.ref.kind === "profile" || o.ref.kind === "instance" || names.has(o.ref.name)),
    );
    if (out.json) {
      out.writeJson({
        version: 1,
        ok: failed.length === 0,
        results: report.results,
        files,
        untouched: untouched.map((o) => o.ref),
      });
    } else {
      out.err(
        `Destroyed ${report.results.length - failed.length} Incus object(s) owned by ${owner}; deleted ${files.length} generated file(s).`,
      );
      for (const f of failed) out.err(s.red(`✗ ${f.id}: ${f.error?.message ?? f.detail}`));
      for (const o of untouched)
        out.err(
          s.yellow(`left untouched (not owned by ${owner}): ${o.ref.kind} ${refLabel(o.ref)}`),
        );
    }
    if (failed.length > 0)
      throw new PlumbError("PLB716", `${failed.length} object(s) could not be destroyed`);
    // The estate is gone from Incus: its audit anchor on the default project goes too.
    await removeAnchor(session.driver, owner);
    return 0;
  } finally {
    session.close();
  }
};
