// Timestamps in trust documents: ISO-8601 UTC with a Z, whole seconds ("2027-01-31T12:00:00Z").
// Fixed width, so comparing strings compares instants (the target-side verifier relies on it).

export const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export function isoZ(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function parseIsoZ(s: unknown): Date | undefined {
  if (typeof s !== "string" || !ISO_Z.test(s)) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) || isoZ(d) !== s ? undefined : d;
}

/** "7d", "12h", "90m" → milliseconds. */
export function parseDuration(s: string): number | undefined {
  const m = /^(\d+)([dhm])$/.exec(s);
  if (!m) return undefined;
  return Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as "d" | "h" | "m"];
}
