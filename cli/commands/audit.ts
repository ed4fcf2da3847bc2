// `plumb audit verify|show|anchor`: checks the hash chain of .plumb/audit/audit.jsonl (and its
// head against the anchor in Incus), lists entries filtered by time, type and priority.
import { anchorAudit, readAnchor, readLogText, verdictError } from "../../core/audit/anchor.js";
import { AUDIT_TYPES, type AuditEntry, PRIORITIES } from "../../core/audit/envelope.js";
import { splitLog, verifyAuditText } from "../../core/audit/verify.js";
import { UsageError } from "../../core/errors.js";
import { loadEstate, openSession, rootOrCwd } from "../session.js";
import type { CommandContext, CommandModule, ParsedValues } from "../spec.js";

export const run: CommandModule["run"] = async (ctx, values, positionals) => {
  const sub = positionals[0];
  if (sub === "verify") return verify(ctx, values);
  if (sub === "show") return show(ctx, values);
  if (sub === "anchor") return anchor(ctx, values);
  throw new UsageError(`unknown audit subcommand '${sub}'`, "use verify, show or anchor");
};

function estateName(ctx: CommandContext, values: ParsedValues): string {
  if (typeof values.estate === "string") return values.estate;
  return loadEstate(ctx, values).estate.projectName;
}

async function verify(ctx: CommandContext, values: ParsedValues): Promise<number> {
  const root = rootOrCwd(ctx);
  const text = readLogText(root);
  let anchorHead: { seq: number; hash: string } | undefined;
  let anchorChecked = false;
  if (values.offline !== true) {
    const name = estateName(ctx, values);
    const session = openSession(ctx, values, root);
    try {
      anchorHead = await readAnchor(session.driver, name);
      anchorChecked = true;
    } finally {
      session.close();
    }
  }
  const v = verifyAuditText(text, anchorHead);
  if (ctx.output.json) {
    ctx.output.writeJson({
      version: 1,
      ok: v.ok,
      entries: v.entries.length,
      head: v.head ?? null,
      anchor: anchorChecked ? (anchorHead ?? null) : "not checked",
      bad: v.bad ?? null,
    });
    return v.ok ? 0 : 1;
  }
  if (!v.ok) throw verdictError(v.bad);
  const s = ctx.output.style;
  ctx.output.out(
    `${s.green("✓")} audit chain of ${v.entries.length} entr${v.entries.length === 1 ? "y" : "ies"} verifies` +
      (v.head ? ` (head ${v.head.seq} ${v.head.hash.slice(0, 12)}…)` : ""),
  );
  ctx.output.err(
    anchorChecked
      ? anchorHead
        ? s.dim(`anchored head ${anchorHead.seq} found in the log`)
        : s.yellow(
            "no anchored head in Incus yet: truncation cannot be ruled out (`plumb audit anchor`)",
          )
      : s.yellow("--offline: the anchored head was not checked, a truncated log would pass"),
  );
  return 0;
}

async function anchor(ctx: CommandContext, values: ParsedValues): Promise<number> {
  const root = rootOrCwd(ctx);
  const name = estateName(ctx, values);
  const session = openSession(ctx, values, root);
  try {
    const head = await anchorAudit(session.driver, root, name);
    if (ctx.output.json) ctx.output.writeJson({ version: 1, ok: true, anchor: head ?? null });
    else
      ctx.output.out(
        head
          ? `anchored audit head ${head.seq} ${head.hash.slice(0, 12)}…`
          : "the audit log is empty",
      );
    return 0;
  } finally {
    session.close();
  }
}

/** `--since` as an ISO time or a duration back from now: 30m, 24h, 7d. */
export function parseSince(v: string, now: Date): Date {
  const m = /^(\d+)([smhd])$/.exec(v);
  if (m) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
    return new Date(now.getTime() - Number(m[1]) * unit * 1000);
  }
  const t = Date.parse(v);
  if (Number.isNaN(t))
    throw new UsageError(
      `--since must be a time (2026-01-31T12:00:00Z) or a duration (24h, 7d), got '${v}'`,
    );
  return new Date(t);
}

function show(ctx: CommandContext, values: ParsedValues): number {
  const root = rootOrCwd(ctx);
  const { lines } = splitLog(readLogText(root));
  const v = verifyAuditText(readLogText(root));
  const since = typeof values.since === "string" ? parseSince(values.since, new Date()) : undefined;
  const types = (values.type as string[] | undefined)?.flatMap((t) => t.split(",")) ?? [];
  for (const t of types)
    if (!AUDIT_TYPES.some((k) => k === t || k.startsWith(`${t}.`)))
      throw new UsageError(`unknown audit type '${t}'`, `one of ${AUDIT_TYPES.join(", ")}`);
  const prio = values.priority as string | undefined;
  if (prio !== undefined && !(PRIORITIES as readonly string[]).includes(prio))
    throw new UsageError("--priority must be P0, P1, P2 or P3");
  const keep = (e: AuditEntry) =>
    (since === undefined || Date.parse(e.ts) >= since.getTime()) &&
    (types.length === 0 || types.some((t) => e.type === t || e.type.startsWith(`${t}.`))) &&
    (prio === undefined || e.priority <= prio);
  // Entries after the first bad one are shown too, marked: an operator investigating needs them.
  const all = lines.map((l, i) => ({ line: i + 1, entry: v.entries[i], raw: l }));
  const shown = all.filter((x) => x.entry !== undefined && keep(x.entry));
  if (ctx.output.json) {
    ctx.output.writeJson({
      version: 1,
      verified: v.ok,
      bad: v.bad ?? null,
      entries: shown.map((x) => x.entry),
    });
    return 0;
  }
  const s = ctx.output.style;
  for (const { entry } of shown) {
    const e = entry as AuditEntry;
    const pr =
      e.priority === "P0"
        ? s.red(e.priority)
        : e.priority === "P1"
          ? s.yellow(e.priority)
          : e.priority;
    ctx.output.out(
      `${e.seq.toString().padStart(5)} ${e.ts} ${pr} ${s.bold(e.type)} ${e.actor} ${JSON.stringify(e.payload)}`,
    );
  }
  if (!v.ok)
    ctx.output.err(
      s.red(
        `the chain breaks at line ${v.bad?.line}: ${v.bad?.message} (entries from there on not shown)`,
      ),
    );
  return v.ok ? 0 : 1;
}
