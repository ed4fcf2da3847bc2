// `{secret: NAME}`: how infra names a secret contract input without holding its value. The value
// is resolved only at apply (core/redact/secrets.ts); plans, hashes and logs keep the reference.

/** Secret names become environment variable names (`PLUMB_SECRET_<NAME>`). */
export const SECRET_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export interface SecretRef {
  readonly secret: string;
}

/** A mapping whose only key is `secret`, a string (the name's form is checked separately). */
export function isSecretRef(v: unknown): v is SecretRef {
  return (
    v !== null &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    typeof (v as { secret?: unknown }).secret === "string"
  );
}

/** Looks like an attempt at a reference (has a `secret` key) — for a precise error. */
export function looksLikeSecretRef(v: unknown): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v) && "secret" in v;
}
