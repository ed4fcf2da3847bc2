// Sensitive Incus config values in a plan (docs/security.md#secrets): the plan document carries
// `(sensitive) sha256:<12 hex>` instead of the value, everywhere a change holds it (desired
// config, field before/after). The real values stay in memory beside the plan they were derived
// with; apply takes them from there — from infra and live Incus, re-derived — and refuses a
// digest it cannot match (PLB773). A saved plan file never holds a secret.
import { PlumbError } from "../errors.js";
import { isRedacted, isSensitiveConfigKey, redactValue } from "./redact.js";

type Primitive = string | number | boolean;
export type PlanSecrets = ReadonlyMap<string, Primitive>;

const isPrimitive = (v: unknown): v is Primitive =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/** `config.environment.DB_PASSWORD` → sensitive; `devices.x.y` → not. */
function sensitivePath(path: string): boolean {
  const i = path.indexOf("config.");
  return i >= 0 && isSensitiveConfigKey(path.slice(i + "config.".length));
}

/**
 * A deep copy of `value` with every sensitive config value redacted, and the values by their
 * redacted text. Objects keyed by config key (`config: {environment.X: v}`) and field changes
 * (`{path: "config.environment.X", before, after}`) are both covered.
 */
export function redactSecrets<T>(value: T): { value: T; secrets: Map<string, Primitive> } {
  const secrets = new Map<string, Primitive>();
  const hide = (v: unknown): unknown => {
    if (!isPrimitive(v) || isRedacted(v)) return v;
    const shown = redactValue(v);
    secrets.set(shown, v);
    return shown;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    const field = typeof o.path === "string" && sensitivePath(o.path);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      if (field && (k === "before" || k === "after")) out[k] = hide(x);
      else if (isSensitiveConfigKey(k) && isPrimitive(x)) out[k] = hide(x);
      else out[k] = walk(x);
    }
    return out;
  };
  return { value: walk(value) as T, secrets };
}

/** `value` with every redacted text replaced by its real value; PLB773 when one is unknown. */
export function restoreSecrets<T>(value: T, secrets: PlanSecrets): T {
  const walk = (v: unknown): unknown => {
    if (isRedacted(v)) {
      const real = secrets.get(v as string);
      if (real === undefined)
        throw new PlumbError(
          "PLB773",
          "a sensitive config value of the plan is not in the infra any more",
          {
            hint: "the infra changed since the plan was made: run `plumb plan` again",
          },
        );
      return real;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object") return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value) as T;
}

// The values behind a plan object, for the apply that holds it (never serialized).
const held = new WeakMap<object, PlanSecrets>();

export function holdSecrets<T extends object>(plan: T, secrets: PlanSecrets): T {
  held.set(plan, secrets);
  return plan;
}

/** The saved plan applies with the values of the plan derived now (same digests, checked). */
export function adoptSecrets<T extends object>(saved: T, derived: object): T {
  return holdSecrets(saved, held.get(derived) ?? new Map());
}

/** The plan with real values, for the apply engine only (journals and audit keep the plan). */
export function withSecrets<T extends object>(plan: T): T {
  const secrets = held.get(plan);
  return restoreSecrets(plan, secrets ?? new Map());
}
