// One redaction for every output: plan renderers (text, markdown, JSON), generate --dry-run, logs,
// PR comments, error messages. A secret is shown as `(sensitive) sha256:<12 hex>` — stable for the
// same value, so a reviewer still sees that it changed, never what it is (docs/security.md#secrets).
import { createHash } from "node:crypto";

export const REDACTED_PREFIX = "(sensitive) sha256:";

/** Config keys that hold secrets: `environment.*` whose name says PASSWORD, TOKEN, SECRET or KEY. */
export const SENSITIVE_ENV_RE = /^environment\..*(PASSWORD|TOKEN|SECRET|KEY)/i;

export const isSensitiveConfigKey = (key: string): boolean => SENSITIVE_ENV_RE.test(key);

/** `(sensitive) sha256:<12 hex>` of a value (strings hashed as their JSON text, like the HFC). */
export function redactValue(value: unknown): string {
  const digest = createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 12);
  return `${REDACTED_PREFIX}${digest}`;
}

export const isRedacted = (v: unknown): boolean =>
  typeof v === "string" &&
  v.startsWith(REDACTED_PREFIX) &&
  v.length === REDACTED_PREFIX.length + 12;

/** A config map with every sensitive key's value redacted (other keys as they are). */
export function redactConfig<T>(config: Readonly<Record<string, T>>): Record<string, T | string> {
  let out: Record<string, T | string> | undefined;
  for (const [k, v] of Object.entries(config)) {
    if (!isSensitiveConfigKey(k) || isRedacted(v)) continue;
    out ??= { ...config };
    out[k] = redactValue(v);
  }
  return out ?? (config as Record<string, T>);
}
