// Keeps secrets out of anything published (PR comments, notifications): values of keys that name
// a secret (environment.*, cloud-init data, *password*, *token*, *secret*, *key*…) and values that
// look like credentials (PEM blocks, GitHub/AWS/Slack tokens) become `(sensitive, sha256:…)`.
// The hash prefix still shows a reviewer that the value changed, and to what it changed alike.
import { createHash } from "node:crypto";

const SECRET_KEY =
  /(^|[._-])(environment|user-data|vendor-data|network-config|cloud-init|password|passwd|secret|token|credential|private|apikey|api-key|api_key|key)([._-]|$)|^environment\./i;

const SECRET_VALUE = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/,
  /\bAKIA[0-9A-Z]{16}\b/,
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./, // a JWT
];

export function isSecretKey(path: string): boolean {
  // `config.environment.DB_PASSWORD`, `devices.x.key` … the last two segments decide.
  return SECRET_KEY.test(path.replace(/^(config|devices)\./, ""));
}

export function looksSecret(value: string): boolean {
  return SECRET_VALUE.some((r) => r.test(value));
}

export function masked(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `(sensitive, sha256:${createHash("sha256").update(text).digest("hex").slice(0, 8)})`;
}

/** A deep copy of `value` with secret values masked; `path` is the dotted key path so far. */
export function redact(value: unknown, path = ""): unknown {
  if (typeof value === "string") return looksSecret(value) ? masked(value) : value;
  if (Array.isArray(value)) return value.map((v, i) => redact(v, `${path}[${i}]`));
  if (typeof value !== "object" || value === null) return value;
  const obj = value as Record<string, unknown>;
  // A field change `{path, before, after}`: its own path names the key.
  if (typeof obj.path === "string" && ("before" in obj || "after" in obj)) {
    const secret = isSecretKey(obj.path);
    const out: Record<string, unknown> = { path: obj.path };
    for (const k of ["before", "after"] as const)
      if (k in obj) out[k] = secret ? masked(obj[k]) : redact(obj[k], `${obj.path}`);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const p = path ? `${path}.${k}` : k;
    out[k] =
      isSecretKey(k) && (typeof v === "string" || typeof v === "number") ? masked(v) : redact(v, p);
  }
  return out;
}
