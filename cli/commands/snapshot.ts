// `plumb snapshot` (docs/reconcile.md): imperative snapshots of one instance of this estate, found
// in whichever of its projects holds it (machine names are unique across domains), and the
// pre-apply rollback. create/restore/delete touch only instances the estate owns
// (`user.plumb.owner`) and run under the apply lock, like every other change plumb makes.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { auditSnapshot } from "../../core/audit/hooks.js";
import { PlumbError, UsageError } from "../../core/errors.js";
import { PreApplyState, timestamp } from "../../core/io/plumb-state.js";
import type { IncusDriver, Instance } from "../../reconcilers/drivers/incus/types.js";
import { OWNER_KEY } from "../../reconcilers/kit/ownership.js";
import { IncusLock } from "../../reconcilers/lock/incus-lock.js";
import { processLockEnv } from "../../reconcilers/lock/process-env.js";
import { mapLimitOrThrow } from "../../reconcilers/pool.js";
import {
  cleanup,
  DEFAULT_KEEP,
  estateInstances,
  PRE_APPLY_PREFIX,
  preApplyIndex,
  rollback,
} from "../../reconcilers/snapshots/pre-apply.js";
import { confirm, loadEstate, lockTimeout, openSession, type Session } from "../session.js";
import type { CommandContext, CommandModule, ParsedValues } from "../spec.js";

/** Every instance of every project, with snapshots (one recursion=2 listing per project). */
async function allInstances(d: IncusDriver): Promise<Instance[]> {
  const projects = await d.listProjects();
  const lists = await mapLimitOrThrow(projects, 4, (p) =>
    d.listInstances(p.name, { withState: true }).catch(() => []),
  );
  return lists.flat();
}

/** The instance `nameOrSelf` of estate `owner`; another estate's or nobody's: PLB632. */
async function findOwnedInstance(
  d: IncusDriver,
  owner: string,
  nameOrSelf: string,
): Promise<Instance> {
  const name = nameOrSelf === "self" ? hostname() : nameOrSelf;
  const ours = (await estateInstances(d, owner)).filter((i) => i.name === name);
  if (ours.length === 1) return ours[0] as Instance;
  const found = (await allInstances(d)).filter((i) => i.name === name);
  if (ours.length === 0 && found.length > 0) {
    const who = found.map((i) => {
      const o = i.config[OWNER_KEY];
      return `${i.project}/${i.name} (${o ? `estate ${o}` : "not created by plumb"})`;
    });
    throw new PlumbError("PLB632", `${who.join(", ")}: not an instance of estate ${owner}`, {
      hint: "plumb snapshot acts only on the estate's own instances; use the incus CLI for others, or `plumb import` them",
    });
  }
  return findInstance(found, name, nameOrSelf);
}

function findInstance(all: readonly Instance[], name: string, nameOrSelf: string): Instance {
  const found = all.filter((i) => i.name === name);
  if (found.length === 0) {
    throw new PlumbError(
      "PLB721",
      `no instance named ${name}${nameOrSelf === "self" ? " (this machine's hostname)" : ""} in any project`,
    );
  }
  if (found.length > 1) {
    throw new PlumbError(
      "PLB721",
      `${name} exists in several projects (${found.map((i) => i.project).join(", ")})`,
      {
        hint: "machine names are unique within an estate; rename the other instance",
      },
    );
  }
  return found[0] as Instance;
}

async function withLock<T>(
  ctx: CommandContext,
  values: ParsedValues,
  s: Session,
  owner: string,
  command: string,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await IncusLock.acquire(s.driver, {
    owner,
    run: `${timestamp()}-snapshot-${randomBytes(3).toString("hex")}`,
    command,
    leaseMs: 60_000,
    waitMs: lockTimeout(ctx, values) * 1000,
    env: processLockEnv(),
    onTakeover: (h, why) => ctx.output.err(`took over a stale apply lock of run ${h.run}: ${why}`),
  });
  lock.startHeartbeat();
  try {
    return await fn();
  } finally {
    await lock.release().catch(() => undefined);
  }
}

async function runRollback(
  ctx: CommandContext,
  values: ParsedValues,
  s: Session,
  ts: string | undefined,
) {
  const out = ctx.output;
  const { estate } = loadEstate(ctx, values);
  const owner = estate.projectName;
  const state = new PreApplyState(s.root);
  const instances = await estateInstances(s.driver, owner);
  const index = preApplyIndex(instances);
  if (values.list === true) {
    if (out.json)
      out.writeJson({
        version: 1,
        latest: state.latest() ?? null,
        snapshots: Object.fromEntries(index),
      });
    else if (index.size === 0) out.err("No pre-apply snapshots.");
    else
      for (const [t, held] of index) {
        const mark = t === state.latest() ? " (latest)" : "";
        out.out(
          `${PRE_APPLY_PREFIX}${t}${mark}  ${held.length} instance(s): ${held.map((h) => h.name).join(", ")}`,
        );
      }
    return 0;
  }
  if (values.cleanup === true) {
    const keep = Number(values.keep ?? DEFAULT_KEEP);
    if (!Number.isInteger(keep) || keep < 0) throw new UsageError("--keep must be an integer ≥ 0");
    const r = await withLock(ctx, values, s, owner, "plumb snapshot rollback --cleanup", () =>
      cleanup(s.driver, instances, keep, 4),
    );
    state.writeHistory(state.history().slice(keep === 0 ? state.history().length : -keep));
    if (out.json) out.writeJson({ version: 1, ...r, keep });
    else
      out.err(
        `Deleted ${r.deleted} pre-apply snapshot(s), kept the newest ${keep} per instance${r.failed ? `; ${r.failed} failed` : ""}.`,
      );
    return r.failed > 0 ? 1 : 0;
  }
  const chosen = (ts ?? state.latest() ?? [...index.keys()][0])?.replace(PRE_APPLY_PREFIX, "");
  if (chosen === undefined) {
    throw new PlumbError("PLB720", "there is no pre-apply snapshot to roll back to", {
      hint: "`plumb snapshot rollback --list` shows the available ones",
    });
  }
  if (values.yes !== true && values.force !== true) {
    const held = index.get(chosen)?.length ?? 0;
    const ok = await confirm(
      ctx,
      `Restore ${PRE_APPLY_PREFIX}${chosen} on ${held} instance(s)?`,
      "rollback restores snapshots",
    );
    if (!ok) return 1;
  }
  const st = out.style;
  const progress = out.json
    ? undefined
    : out.progress({ total: index.get(chosen)?.length ?? 0, verb: "rollback" });
  const r = await withLock(ctx, values, s, owner, "plumb snapshot rollback", () =>
    rollback(s.driver, instances, chosen, 4, (e) => {
      const id = `${e.id.project}/${e.id.name}`;
      if (e.type === "start") progress?.begin(id, id);
      else
        progress?.end(
          id,
          e.error
            ? `${st.red("✗")} restore ${id}: ${e.error}`
            : `${st.green("✓")} restored ${id} ${st.dim(`(${(e.ms / 1000).toFixed(1)}s)`)}`,
        );
    }),
  ).finally(() => progress?.stop());
  auditSnapshot(s.root, "rollback", {
    snapshot: r.snapshot,
    restored: r.restored.map((i) => `${i.project}/${i.name}`),
    failed: r.failed.length,
  });
  if (out.json) out.writeJson({ version: 1, ok: r.failed.length === 0, ...r });
  else {
    out.err(
      `Restored ${r.snapshot} on ${r.restored.length} instance(s): ${r.restored.map((i) => i.name).join(", ")}`,
    );
    if (r.skipped) out.err(`${r.skipped} instance(s) of the estate do not have it (skipped).`);
    for (const f of r.failed) out.err(ctx.output.style.red(`✗ ${f.project}/${f.name}: ${f.error}`));
  }
  return r.failed.length > 0 ? 1 : 0;
}

export const run: CommandModule["run"] = async (ctx, values, positionals) => {
  const [sub, target, name] = positionals;
  const out = ctx.output;
  const s = openSession(ctx, values);
  try {
    const d = s.driver;
    switch (sub) {
      case "rollback":
        return await runRollback(ctx, values, s, target);
      case "list": {
        const all = await allInstances(d);
        const instances = target
          ? [findInstance(all, target === "self" ? hostname() : target, target)]
          : all;
        const rows = instances.flatMap((i) =>
          (i.snapshots ?? []).map((sn) => ({
            project: i.project,
            instance: i.name,
            snapshot: sn.name,
            created_at: sn.created_at ?? "",
          })),
        );
        if (out.json) out.writeJson({ version: 1, snapshots: rows });
        else if (rows.length === 0) out.err("No snapshots.");
        else
          for (const r of rows)
            out.out(`${r.project}/${r.instance}  ${r.snapshot}  ${r.created_at}`);
        return 0;
      }
      case "create": {
        if (!target) throw new UsageError("usage: plumb snapshot create <instance|self> [name]");
        const owner = loadEstate(ctx, values).estate.projectName;
        const i = await findOwnedInstance(d, owner, target);
        const snap = name ?? `snap-${timestamp()}`;
        await withLock(ctx, values, s, owner, `plumb snapshot create ${i.name}`, () =>
          d.createSnapshot(i.project, i.name, { name: snap }),
        );
        auditSnapshot(s.root, "create", { instance: `${i.project}/${i.name}`, snapshot: snap });
        out.err(`Created ${snap} of ${i.project}/${i.name}.`);
        return 0;
      }
      case "restore": {
        if (!target || !name)
          throw new UsageError("usage: plumb snapshot restore <instance|self> <name>");
        const owner = loadEstate(ctx, values).estate.projectName;
        const i = await findOwnedInstance(d, owner, target);
        const self = target === "self" || i.name === hostname();
        if (self && values.force !== true) {
          out.err(
            ctx.output.style.yellow(
              `${i.name} is the machine this runs on: restoring it ends this session.`,
            ),
          );
          if (!(await confirm(ctx, "Restore anyway?", "restoring this very machine"))) return 1;
        }
        await withLock(ctx, values, s, owner, `plumb snapshot restore ${i.name} ${name}`, () =>
          d.restoreSnapshot(i.project, i.name, name),
        );
        auditSnapshot(s.root, "restore", { instance: `${i.project}/${i.name}`, snapshot: name });
        out.err(`Restored ${i.project}/${i.name} to ${name}.`);
        return 0;
      }
      case "delete": {
        if (!target || !name)
          throw new UsageError("usage: plumb snapshot delete <instance|self> <name>");
        const owner = loadEstate(ctx, values).estate.projectName;
        const i = await findOwnedInstance(d, owner, target);
        await withLock(ctx, values, s, owner, `plumb snapshot delete ${i.name} ${name}`, () =>
          d.deleteSnapshot(i.project, i.name, name),
        );
        auditSnapshot(s.root, "delete", { instance: `${i.project}/${i.name}`, snapshot: name });
        out.err(`Deleted ${name} of ${i.project}/${i.name}.`);
        return 0;
      }
      default:
        throw new UsageError(
          `unknown snapshot command '${sub}'`,
          "create, restore, list, delete or rollback",
        );
    }
  } finally {
    s.close();
  }
};
