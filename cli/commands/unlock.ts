// `plumb unlock`: shows who holds the apply lock stored in Incus and removes it after
// confirmation (compare-and-swap: if the holder changed meanwhile, nothing is removed).
import { casLock, readLock, staleReason } from "../../reconcilers/lock/incus-lock.js";
import { processLockEnv } from "../../reconcilers/lock/process-env.js";
import { confirm, openSession } from "../session.js";
import type { CommandModule } from "../spec.js";

export const run: CommandModule["run"] = async (ctx, values) => {
  const out = ctx.output;
  const session = openSession(ctx, values);
  try {
    const holder = await readLock(session.driver);
    if (holder === undefined) {
      if (out.json) out.writeJson({ version: 1, ok: true, removed: false, holder: null });
      else out.err("No apply lock is held.");
      return 0;
    }
    const stale = staleReason(holder, processLockEnv());
    if (!out.json) {
      out.err(
        `The apply lock is held by \`${holder.command}\` (run ${holder.run}, pid ${holder.pid} on ${holder.host}, estate ${holder.owner})`,
      );
      out.err(
        `  since ${holder.since}; lease ends ${holder.expires}${stale ? ` — stale: ${stale}` : " — it looks alive"}`,
      );
    }
    if (
      values.yes !== true &&
      !(await confirm(ctx, "Remove it?", "unlock removes the apply lock"))
    ) {
      out.err("Lock kept.");
      return 1;
    }
    let removed = false;
    await casLock(session.driver, (cur) => {
      removed = cur?.run === holder.run;
      return removed ? undefined : null;
    });
    if (out.json) out.writeJson({ version: 1, ok: removed, removed, holder });
    else
      out.err(
        removed
          ? "Lock removed."
          : "The lock changed hands meanwhile; nothing removed (run `plumb unlock` again).",
      );
    return removed ? 0 : 1;
  } finally {
    session.close();
  }
};
