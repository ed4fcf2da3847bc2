// Change freeze: `change_freeze:` in infra/policies.yml — windows during which apply and the
// reconcile job refuse to change anything. A window is `from`/`until` (ISO times) or `cron` plus
// `duration` (UTC starts), each with a `reason`; `override_approvals` says how many distinct
// approvers an emergency override (P0, audited) needs. Parsed with positions: a mistake is
// reported at file:line:column.
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { PlumbError } from "../errors.js";
import { type CronSpec, lastStart, parseCron } from "./cron.js";

export type FreezeWindow =
  | { readonly kind: "fixed"; readonly reason: string; readonly from: Date; readonly until: Date }
  | {
      readonly kind: "cron";
      readonly reason: string;
      readonly cron: string;
      readonly spec: CronSpec;
      readonly durationMs: number;
    };

export interface FreezePolicy {
  readonly windows: readonly FreezeWindow[];
  /** Distinct approvers an emergency override needs (default 2). */
  readonly overrideApprovals: number;
}

export const DEFAULT_OVERRIDE_APPROVALS = 2;
export const MAX_DURATION_MS = 31 * 86_400_000;

export interface ActiveFreeze {
  readonly reason: string;
  readonly from: string;
  readonly until: string;
  readonly window: string;
}

/** `90m`, `10h`, `2d`, `1h30m`. */
export function parseDuration(text: string): number | undefined {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text.trim());
  if (!m || text.trim() === "") return undefined;
  return (Number(m[1] ?? 0) * 86_400 + Number(m[2] ?? 0) * 3_600 + Number(m[3] ?? 0) * 60) * 1000;
}

export function parseFreezePolicy(text: string, file = "infra/policies.yml"): FreezePolicy {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const fail = (node: Node | null | undefined, message: string): never => {
    const at = node?.range ? lc.linePos(node.range[0]) : { line: 1, col: 1 };
    throw new PlumbError("PLB951", `${file}:${at.line}:${at.col}: ${message}`, {
      hint: 'change_freeze: {windows: [{reason: "year end", from: 2026-12-20T00:00:00Z, until: 2027-01-04T00:00:00Z}, {reason: "weekend", cron: "0 18 * * 5", duration: 62h}], override_approvals: 2}',
    });
  };
  if (doc.errors.length > 0) fail(null, doc.errors[0]?.message ?? "not YAML");
  const root = doc.contents;
  if (!isMap(root)) return { windows: [], overrideApprovals: DEFAULT_OVERRIDE_APPROVALS };
  const section = root.get("change_freeze", true) as Node | undefined;
  if (section === undefined || (isScalar(section) && section.value === null))
    return { windows: [], overrideApprovals: DEFAULT_OVERRIDE_APPROVALS };
  if (!isMap(section)) return fail(section, "change_freeze must be a mapping with windows");
  let overrideApprovals = DEFAULT_OVERRIDE_APPROVALS;
  const windows: FreezeWindow[] = [];
  for (const pair of section.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const value = pair.value as Node | null;
    if (key === "override_approvals") {
      const n = isScalar(value) ? value.value : undefined;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 100)
        return fail(value, "change_freeze.override_approvals must be an integer 1–100");
      overrideApprovals = n;
    } else if (key === "windows") {
      if (!isSeq(value)) return fail(value, "change_freeze.windows must be a list");
      for (const item of value.items) windows.push(parseWindow(item as Node, fail));
    } else
      return fail(
        pair.key as Node,
        `unknown key change_freeze.${key} (windows, override_approvals)`,
      );
  }
  return { windows, overrideApprovals };
}

function parseWindow(
  node: Node,
  fail: (n: Node | null | undefined, m: string) => never,
): FreezeWindow {
  if (!isMap(node))
    return fail(node, "a freeze window is a mapping (reason + from/until or cron/duration)");
  const get = (k: string) => node.get(k, true) as Node | undefined;
  for (const p of node.items) {
    const k = isScalar(p.key) ? String(p.key.value) : "";
    if (!["reason", "from", "until", "cron", "duration"].includes(k))
      fail(
        p.key as Node,
        `unknown key '${k}' in a freeze window (reason, from, until, cron, duration)`,
      );
  }
  const str = (k: string): string | undefined => {
    const n = get(k);
    if (n === undefined) return undefined;
    const v = isScalar(n) ? n.value : undefined;
    if (v instanceof Date) return v.toISOString();
    if (typeof v !== "string" || v.trim() === "")
      return fail(n, `'${k}' must be a non-empty string`);
    return v;
  };
  const reason = str("reason") ?? fail(node, "a freeze window needs a reason");
  const cron = str("cron");
  if (cron !== undefined) {
    if (get("from") || get("until"))
      fail(node, "a window is either cron + duration or from + until");
    let spec: CronSpec;
    try {
      spec = parseCron(cron);
    } catch (e) {
      return fail(get("cron"), (e as Error).message);
    }
    const d = str("duration") ?? fail(node, "a cron window needs a duration (e.g. 62h)");
    const durationMs = parseDuration(d);
    if (!durationMs || durationMs > MAX_DURATION_MS)
      return fail(get("duration"), `duration '${d}' must be like 90m, 10h or 2d (at most 31d)`);
    return { kind: "cron", reason, cron, spec, durationMs };
  }
  const from = str("from") ?? fail(node, "a window needs from + until, or cron + duration");
  const until = str("until") ?? fail(node, "a window needs until");
  const f = Date.parse(from);
  const u = Date.parse(until);
  if (Number.isNaN(f) || !/(Z|[+-]\d\d:?\d\d)$/.test(from))
    fail(get("from"), `from '${from}' must be an ISO time with a zone (2026-12-20T00:00:00Z)`);
  if (Number.isNaN(u) || !/(Z|[+-]\d\d:?\d\d)$/.test(until))
    fail(get("until"), `until '${until}' must be an ISO time with a zone`);
  if (u <= f) fail(get("until"), "until must be after from");
  return { kind: "fixed", reason, from: new Date(f), until: new Date(u) };
}

const windowKey = (w: FreezeWindow) =>
  w.kind === "fixed"
    ? `fixed ${w.reason} ${w.from.toISOString()} ${w.until.toISOString()}`
    : `cron ${w.reason} ${w.cron} ${w.durationMs}`;

/**
 * The stricter of two freeze policies (the base branch's and a pull request's): every window of
 * either (the same window once), and the larger number of override approvals.
 */
export function stricterFreezePolicy(a: FreezePolicy, b: FreezePolicy): FreezePolicy {
  const windows = new Map<string, FreezeWindow>();
  for (const w of [...a.windows, ...b.windows]) windows.set(windowKey(w), w);
  return {
    windows: [...windows.values()],
    overrideApprovals: Math.max(a.overrideApprovals, b.overrideApprovals),
  };
}

/** The windows in force at `now` (empty: changes may go ahead). */
export function activeFreezes(policy: FreezePolicy, now: Date): ActiveFreeze[] {
  const out: ActiveFreeze[] = [];
  for (const w of policy.windows) {
    if (w.kind === "fixed") {
      if (w.from <= now && now < w.until)
        out.push({
          reason: w.reason,
          from: w.from.toISOString(),
          until: w.until.toISOString(),
          window: "from/until",
        });
    } else {
      const s = lastStart(w.spec, now, w.durationMs);
      if (s !== undefined)
        out.push({
          reason: w.reason,
          from: s.toISOString(),
          until: new Date(s.getTime() + w.durationMs).toISOString(),
          window: `cron '${w.cron}'`,
        });
    }
  }
  return out;
}
