// anklume reads a null optional machine key as "empty" (`config: null`, `roles: null`, …). The
// validator drops those keys before checking, so the schema, the rules and every consumer of
// the validated document see one form only: absent. Pure; the input is not modified.
import { isRecord } from "../core/model/addressing.js";

/** Machine keys whose null means the same as absent (the schema also allows null for editors). */
export const NULLABLE_MACHINE_KEYS: ReadonlySet<string> = new Set([
  "description",
  "config",
  "devices",
  "roles",
  "profiles",
  "storage_volumes",
  "persistent_data",
]);

export function dropNullMachineKeys(doc: Record<string, unknown>): Record<string, unknown> {
  if (!isRecord(doc.domains)) return doc;
  let changed = false;
  const domains = mapValues(doc.domains, (domain) => {
    if (!isRecord(domain) || !isRecord(domain.machines)) return domain;
    let touched = false;
    const machines = mapValues(domain.machines, (m) => {
      if (
        !isRecord(m) ||
        !Object.entries(m).some(([k, v]) => v === null && NULLABLE_MACHINE_KEYS.has(k))
      )
        return m;
      touched = true;
      return Object.fromEntries(
        Object.entries(m).filter(([k, v]) => !(v === null && NULLABLE_MACHINE_KEYS.has(k))),
      );
    });
    if (!touched) return domain;
    changed = true;
    return withKey(domain, "machines", machines);
  });
  return changed ? withKey(doc, "domains", domains) : doc;
}

/** Same keys in the same order (`__proto__` included, as an own key), values mapped. */
function mapValues(
  obj: Record<string, unknown>,
  f: (v: unknown) => unknown,
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, f(v)]));
}

function withKey(
  obj: Record<string, unknown>,
  key: string,
  value: unknown,
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, k === key ? value : v]));
}
