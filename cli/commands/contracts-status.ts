// `plumb contracts status [--machine m] [--json]`: the latest run of every contract per machine,
// from the run journal (.plumb/journal/<machine>.jsonl) that `plumb apply` writes.
import { ExitCode, UsageError } from "../../core/errors.js";
import {
  journalMachines,
  latestPerContract,
  readJournal,
} from "../../reconcilers/delivery/journal.js";
import type { CommandModule } from "../spec.js";

export const run: CommandModule["run"] = async (ctx, values, positionals) => {
  const [action] = positionals;
  if (action !== "status")
    throw new UsageError(
      `unknown action '${action ?? ""}'`,
      "use: plumb contracts status [--machine m] [--json]",
    );
  const root = ctx.repoRoot();
  const wanted = (values.machine as string[] | undefined)
    ?.flatMap((m) => m.split(","))
    .filter(Boolean);
  const machines = wanted && wanted.length > 0 ? wanted : journalMachines(root);
  const rows = machines.flatMap((m) => latestPerContract(readJournal(root, m)));
  const out = ctx.output;
  if (ctx.globals.json) {
    out.writeJson({ version: 1, machines: machines.length, runs: rows });
    return ExitCode.ok;
  }
  const s = out.style;
  if (rows.length === 0) {
    out.err(
      wanted
        ? `No contract runs recorded for ${wanted.join(", ")}.`
        : "No contract runs recorded yet (`plumb apply` delivers the contracts infra/ declares).",
    );
    return ExitCode.ok;
  }
  const paint = (status: string) =>
    status === "SUCCESS" ? s.green(status) : status === "FAILED" ? s.red(status) : s.yellow(status);
  let machine = "";
  for (const r of rows) {
    if (r.machine !== machine) {
      machine = r.machine;
      out.out(s.bold(machine));
    }
    const detail = [
      r.template,
      r.id,
      r.code ? `[${r.code}]` : undefined,
      r.exit === undefined ? undefined : `exit ${r.exit}`,
      `${r.ts}`,
      `run ${r.run}`,
    ]
      .filter(Boolean)
      .join("  ");
    out.out(`  ${r.contract.padEnd(20)} ${paint(r.status.padEnd(8))} ${s.dim(detail)}`);
    if (r.message) out.out(`    ${r.message}`);
    if (r.status === "FAILED" && r.log_tail && r.log_tail.length > 0)
      for (const l of r.log_tail.slice(-5)) out.out(s.dim(`    | ${l}`));
    if (r.status === "PENDING" || r.status === "CLAIMED")
      out.out(
        s.yellow(
          "    the run stopped before its result was recorded; the next `plumb apply` runs it again",
        ),
      );
  }
  return ExitCode.ok;
};
