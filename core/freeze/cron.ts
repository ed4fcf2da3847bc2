// Five-field cron expressions (minute hour day-of-month month day-of-week, UTC) for change-freeze
// windows: numbers, `*`, ranges `a-b`, lists `a,b` and steps `*/n`, `a-b/n`. Day-of-month and
// day-of-week combine as in Vixie cron: when both are restricted, either may match.

export interface CronSpec {
  readonly minute: ReadonlySet<number>;
  readonly hour: ReadonlySet<number>;
  readonly dom: ReadonlySet<number>;
  readonly month: ReadonlySet<number>;
  readonly dow: ReadonlySet<number>;
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

const RANGES: readonly [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
const NAMES = ["minute", "hour", "day of month", "month", "day of week"];

/** Parses an expression; throws an Error naming the bad field. */
export function parseCron(expr: string): CronSpec {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`'${expr}' has ${fields.length} fields, cron needs 5`);
  const sets = fields.map((f, i) =>
    parseField(f, RANGES[i] as [number, number], NAMES[i] as string),
  );
  const dow = new Set([...(sets[4] as Set<number>)].map((d) => (d === 7 ? 0 : d)));
  return {
    minute: sets[0] as Set<number>,
    hour: sets[1] as Set<number>,
    dom: sets[2] as Set<number>,
    month: sets[3] as Set<number>,
    dow,
    domStar: fields[2] === "*",
    dowStar: fields[4] === "*",
  };
}

function parseField(field: string, [lo, hi]: [number, number], name: string): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`${name} field '${field}' is not valid cron`);
    const step = m[4] === undefined ? 1 : Number(m[4]);
    const from = m[1] === "*" ? lo : Number(m[2]);
    const to =
      m[1] === "*" ? hi : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? hi : from;
    if (step < 1 || from < lo || to > hi || from > to)
      throw new Error(`${name} field '${field}' is outside ${lo}–${hi}`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

export function cronMatches(c: CronSpec, t: Date): boolean {
  if (!c.minute.has(t.getUTCMinutes()) || !c.hour.has(t.getUTCHours())) return false;
  if (!c.month.has(t.getUTCMonth() + 1)) return false;
  const dom = c.dom.has(t.getUTCDate());
  const dow = c.dow.has(t.getUTCDay());
  if (c.domStar && c.dowStar) return true;
  if (c.domStar) return dow;
  if (c.dowStar) return dom;
  return dom || dow;
}

/** The latest start time s ≤ t (whole minutes) with s > t − lookbackMs, or undefined. */
export function lastStart(c: CronSpec, t: Date, lookbackMs: number): Date | undefined {
  const minute = 60_000;
  let s = Math.floor(t.getTime() / minute) * minute;
  const stop = t.getTime() - lookbackMs;
  for (; s > stop; s -= minute) if (cronMatches(c, new Date(s))) return new Date(s);
  return undefined;
}
