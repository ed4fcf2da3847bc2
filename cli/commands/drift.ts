// `plumb drift`: a read-only plan reported per object — what differs between live Incus and the
// declared estate, and whether it was changed outside plumb. Exit 2 on drift (0 none, 1 error);
// audited, and counted in the metrics (plumb_drifted_objects).
import { appendAudit } from "../../core/audit/append.js";
import { ExitCode } from "../../core/errors.js";
import { redact } from "../../core/github/redact.js";
import { recordMetrics } from "../../core/metrics/prom.js";
import { type Change, refLabel } from "../../reconcilers/model.js";
import { openSession, planFromRepo } from "../session.js";
import type { CommandModule } from "../spec.js";

export interface DriftedObject {
  readonly id: string;
  readonly kind: string;
  readonly project: string;
  readonly name: string;
  readonly action: Change["action"];
  /** True when plumb had written it and someone changed it since (not just a pending change). */
  readonly changedOutsidePlumb: boolean;
  readonly fields: readonly { path: string; before?: unknown; after?: unknown }[];
  readonly why?: string;
}

export function driftReport(changes: readonly Change[]): DriftedObject[] {
  return changes.map((c) => ({
    id: c.id,
    kind: c.ref.kind,
    project: c.ref.project,
    name: c.ref.name,
    action: c.action,
    changedOutsidePlumb: "drift" in c ? c.drift : false,
    fields: "fields" in c ? (redact(c.fields) as DriftedObject["fields"]) : [],
    ...("reason" in c ? { why: c.reason } : {}),
  }));
}

export const run: CommandModule["run"] = async (ctx, values) => {
  const session = openSession(ctx, values);
  const started = Date.now();
  try {
    const { plan } = await planFromRepo(ctx, values, session);
    const objects = driftReport(plan.changes);
    appendAudit(session.root, {
      type: "drift",
      priority: objects.length > 0 ? "P2" : "P3",
      payload: {
        estate: plan.owner,
        digest: plan.digest,
        drifted: objects.length,
        ids: objects.slice(0, 200).map((o) => o.id),
      },
    });
    recordMetrics(session.root, {
      job: "drift",
      estate: plan.owner,
      ok: true,
      at: new Date(),
      drifted: objects.length,
      steps: { plan: (Date.now() - started) / 1000 },
    });
    if (ctx.output.json) {
      ctx.output.writeJson({ version: 1, estate: plan.owner, drifted: objects.length, objects });
    } else {
      const s = ctx.output.style;
      for (const o of objects) {
        const who = o.changedOutsidePlumb ? s.yellow(" (changed outside plumb)") : "";
        ctx.output.out(
          `${s.bold(`${o.kind} ${refLabel({ kind: o.kind as never, project: o.project, name: o.name })}`)}: ${o.action}${who}`,
        );
        for (const f of o.fields)
          ctx.output.out(
            `    ${f.path}: ${JSON.stringify(f.before ?? null)} → ${JSON.stringify(f.after ?? null)}`,
          );
        if (o.why) ctx.output.out(s.dim(`    ${o.why}`));
      }
      ctx.output.err(
        objects.length === 0
          ? s.green("No drift: live Incus matches the declared estate.")
          : s.yellow(`Drift: ${objects.length} object(s) differ from the declared estate.`),
      );
    }
    return objects.length > 0 ? ExitCode.changes : ExitCode.ok;
  } finally {
    session.close();
  }
};
