// The keyring: which keys are trusted, for which role (keyring, contract), with what threshold,
// until when, and which keys are revoked. Stored in the repo as canonical JSON bytes
// (keys/keyring.json) with detached SSHSIG signatures (keys/keyring.sig.d/*.sig) by its own
// keyring role. Roles count *distinct public keys*, never principals or file names.
import { PlumbError } from "../errors.js";
import { canonicalJsonBytes, parseCanonicalJson } from "../signing/canonical-json.js";
import {
  fingerprint,
  formatPublicKey,
  parsePublicKey,
  type SshPublicKey,
} from "../signing/public-key.js";
import { parseIsoZ } from "./time.js";

/**
 * keyring: signs the keyring; contract: signs contract manifests and templates.lock; approver:
 * signs plan digests; operator, support, admin: what a catalog action requires of the keys that
 * sign its contract at apply (core/consent/).
 */
export type Role = "keyring" | "contract" | "approver" | "operator" | "support" | "admin";
export const ROLES: readonly Role[] = [
  "keyring",
  "contract",
  "approver",
  "operator",
  "support",
  "admin",
];
/** Roles a keyring may lack (made before they existed, or deliberately empty). */
export const OPTIONAL_ROLES: ReadonlySet<Role> = new Set([
  "approver",
  "operator",
  "support",
  "admin",
]);

export interface RoleSpec {
  readonly keys: readonly string[];
  readonly threshold: number;
}

export interface KeyEntry {
  readonly principal: string;
  /** `ssh-ed25519 AAAA…` (no comment). */
  readonly public_key: string;
  readonly valid_after?: string;
  readonly valid_before?: string;
}

export interface Keyring {
  readonly type: "plumb-keyring";
  readonly schema: 1;
  /** Scopes signature namespaces: `plumb-contract-manifest-v1@<org>`. */
  readonly org: string;
  readonly version: number;
  readonly expires: string;
  /** By fingerprint (`SHA256:…`). */
  readonly keys: Readonly<Record<string, KeyEntry>>;
  /** Optional roles may be absent (keyrings made before they existed): nobody holds them then. */
  readonly roles: {
    readonly keyring: RoleSpec;
    readonly contract: RoleSpec;
    readonly approver?: RoleSpec;
    readonly operator?: RoleSpec;
    readonly support?: RoleSpec;
    readonly admin?: RoleSpec;
  };
  /** Revoked public keys (`ssh-ed25519 AAAA…`); monotonic: once revoked, never trusted again. */
  readonly revoked: readonly string[];
}

export const namespaceFor = (doc: "keyring" | "contract-manifest" | "plan-approval", org: string) =>
  `plumb-${doc}-v1@${org}`;

const bad = (message: string) =>
  new PlumbError("PLB870", `keyring: ${message}`, {
    hint: "rebuild it with `plumb keys` commands",
  });

/** Normalizes a key to `type base64` without comment, the form the keyring stores. */
export function keyText(pk: SshPublicKey): string {
  return formatPublicKey(pk, "").trim();
}

export function parseKeyring(bytes: Uint8Array): Keyring {
  let v: unknown;
  try {
    v = parseCanonicalJson(bytes);
  } catch (e) {
    throw bad((e as Error).message);
  }
  const k = v as Keyring;
  if (k === null || typeof k !== "object" || k.type !== "plumb-keyring" || k.schema !== 1)
    throw bad('expected {"type":"plumb-keyring","schema":1,…}');
  if (typeof k.org !== "string" || !/^[A-Za-z0-9._-]+$/.test(k.org))
    throw bad("org must be a simple name");
  if (!Number.isInteger(k.version) || k.version < 1)
    throw bad("version must be a positive integer");
  if (!parseIsoZ(k.expires))
    throw bad("expires must be an ISO-8601 UTC time like 2027-01-31T00:00:00Z");
  if (k.keys === null || typeof k.keys !== "object") throw bad("keys must be a mapping");
  for (const [fp, e] of Object.entries(k.keys)) {
    let pk: SshPublicKey;
    try {
      pk = parsePublicKey(e.public_key);
    } catch (cause) {
      throw bad(`key ${fp}: ${(cause as Error).message}`);
    }
    if (fingerprint(pk) !== fp)
      throw bad(`key ${fp}: the fingerprint does not match its public key`);
    if (typeof e.principal !== "string" || !/^[A-Za-z0-9._@+-]+$/.test(e.principal))
      throw bad(`key ${fp}: invalid principal`);
    for (const t of ["valid_after", "valid_before"] as const) {
      if (e[t] !== undefined && !parseIsoZ(e[t]))
        throw bad(`key ${fp}: ${t} must be an ISO-8601 UTC time`);
    }
  }
  if (!Array.isArray(k.revoked) || k.revoked.some((r) => typeof r !== "string"))
    throw bad("revoked must be a list of public keys");
  for (const role of ROLES) {
    const r = k.roles?.[role];
    if (OPTIONAL_ROLES.has(role) && r === undefined) continue;
    if (!r || !Array.isArray(r.keys) || !Number.isInteger(r.threshold) || r.threshold < 1)
      throw bad(`roles.${role} needs keys and a threshold ≥ 1`);
    for (const fp of r.keys)
      if (!(fp in k.keys)) throw bad(`roles.${role} names unknown key ${fp}`);
    if (new Set(r.keys).size !== r.keys.length) throw bad(`roles.${role} lists a key twice`);
  }
  return k;
}

export function keyringBytes(k: Keyring): Uint8Array {
  return canonicalJsonBytes(k);
}

export function isRevoked(k: Keyring, pk: SshPublicKey): boolean {
  return k.revoked.includes(keyText(pk));
}

/** The role's spec; an absent optional role has no keys. */
export function roleSpec(k: Keyring, role: Role): RoleSpec {
  return k.roles[role] ?? { keys: [], threshold: 1 };
}

/** The roles a key holds in this keyring (none when it is revoked or unknown). */
export function rolesOf(k: Keyring, fp: string): Role[] {
  const entry = k.keys[fp];
  if (!entry || k.revoked.includes(entry.public_key)) return [];
  return ROLES.filter((role) => roleSpec(k, role).keys.includes(fp));
}

/** The role's usable keys: listed, not revoked. */
export function roleKeys(
  k: Keyring,
  role: Role,
): { fingerprint: string; entry: KeyEntry; key: SshPublicKey }[] {
  return roleSpec(k, role)
    .keys.map((fp) => ({ fingerprint: fp, entry: k.keys[fp] as KeyEntry }))
    .map((x) => ({ ...x, key: parsePublicKey(x.entry.public_key) }))
    .filter((x) => !isRevoked(k, x.key));
}

// ---- edits (each returns a new keyring with version + 1; existing signatures no longer apply)

export function newKeyring(
  org: string,
  first: SshPublicKey,
  principal: string,
  expires: string,
): Keyring {
  const fp = fingerprint(first);
  return {
    type: "plumb-keyring",
    schema: 1,
    org,
    version: 1,
    expires,
    keys: { [fp]: { principal, public_key: keyText(first) } },
    roles: {
      keyring: { keys: [fp], threshold: 1 },
      contract: { keys: [fp], threshold: 1 },
      approver: { keys: [fp], threshold: 1 },
      operator: { keys: [fp], threshold: 1 },
      support: { keys: [fp], threshold: 1 },
      admin: { keys: [fp], threshold: 1 },
    },
    revoked: [],
  };
}

export function trustKey(
  k: Keyring,
  pk: SshPublicKey,
  principal: string,
  roles: readonly Role[],
  window: { valid_after?: string; valid_before?: string } = {},
): Keyring {
  if (isRevoked(k, pk))
    throw new PlumbError("PLB875", `${fingerprint(pk)} is revoked and cannot be trusted again`, {
      hint: "generate a new key",
    });
  const fp = fingerprint(pk);
  const entry: KeyEntry = { principal, public_key: keyText(pk), ...window };
  const nextRoles: Record<string, RoleSpec> = { ...k.roles };
  for (const role of roles) {
    const r = roleSpec(k, role);
    if (!r.keys.includes(fp)) nextRoles[role] = { ...r, keys: [...r.keys, fp] };
  }
  return {
    ...k,
    version: k.version + 1,
    keys: { ...k.keys, [fp]: entry },
    roles: nextRoles as unknown as Keyring["roles"],
  };
}

export function revokeKey(k: Keyring, pk: SshPublicKey): Keyring {
  const fp = fingerprint(pk);
  const present = ROLES.filter((role) => k.roles[role] !== undefined);
  const roles = Object.fromEntries(
    present.map((role) => [
      role,
      { ...roleSpec(k, role), keys: roleSpec(k, role).keys.filter((x) => x !== fp) },
    ]),
  ) as unknown as Keyring["roles"];
  for (const role of present) {
    const r = roleSpec({ ...k, roles }, role);
    // An optional role may become empty (approvals or such actions then simply cannot be given).
    if (!OPTIONAL_ROLES.has(role) && r.keys.length < r.threshold) {
      throw new PlumbError(
        "PLB873",
        `revoking ${fp} leaves role '${role}' with ${r.keys.length} key(s) for a threshold of ${r.threshold}`,
        {
          hint: `trust a replacement key first, or lower the threshold with \`plumb keys threshold ${role} <n>\``,
        },
      );
    }
  }
  const keys = { ...k.keys };
  delete keys[fp];
  const revoked = k.revoked.includes(keyText(pk)) ? k.revoked : [...k.revoked, keyText(pk)].sort();
  return { ...k, version: k.version + 1, keys, roles, revoked };
}

export function setThreshold(k: Keyring, role: Role, threshold: number): Keyring {
  const usable = roleKeys(k, role).length;
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > usable) {
    throw new PlumbError(
      "PLB873",
      `threshold ${threshold} for role '${role}' must be between 1 and its ${usable} key(s)`,
    );
  }
  return {
    ...k,
    version: k.version + 1,
    roles: { ...k.roles, [role]: { ...roleSpec(k, role), threshold } },
  };
}

export function setExpiry(k: Keyring, expires: string): Keyring {
  return { ...k, version: k.version + 1, expires };
}
