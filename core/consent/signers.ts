// The keys that sign contracts at apply: which roles they hold (for consent) and which are
// distinct current contract keys (delivery's threshold check, reconcilers/delivery/bundle.ts
// assertSignersReachThreshold, PLB781). Pure: the caller loads the keys (`--sign-key`,
// `--sign-agent`, site settings).
import { fingerprint, type SshPublicKey } from "../signing/public-key.js";
import { type Keyring, rolesOf } from "../trust/keyring.js";
import { parseIsoZ } from "../trust/time.js";

export interface ApplySigners {
  /** Roles held by at least one signing key (a current contract key: only those sign). */
  readonly roles: ReadonlySet<string>;
  /** Distinct current contract keys among the keys given. */
  readonly contractSigners: readonly string[];
  /** Keys given that cannot sign a contract (unknown, revoked, outside their window, no contract role). */
  readonly rejected: readonly string[];
  readonly threshold: number;
}

function current(keyring: Keyring, fp: string, now: Date): boolean {
  const e = keyring.keys[fp];
  if (!e) return false;
  const after = parseIsoZ(e.valid_after);
  const before = parseIsoZ(e.valid_before);
  return !((after && now < after) || (before && now > before));
}

/**
 * Roles and contract keys of `keys`. Only current contract keys sign a bundle (any other
 * signature file would make the target refuse it), so only their roles count; the others are
 * `rejected`.
 */
export function applySigners(
  keyring: Keyring,
  keys: readonly SshPublicKey[],
  now: Date,
): ApplySigners {
  const roles = new Set<string>();
  const contract = new Set<string>();
  const rejected = new Set<string>();
  for (const k of keys) {
    const fp = fingerprint(k);
    const held = current(keyring, fp, now) ? rolesOf(keyring, fp) : [];
    if (!held.includes("contract")) {
      rejected.add(fp);
      continue;
    }
    contract.add(fp);
    for (const r of held) roles.add(r);
  }
  return {
    roles,
    contractSigners: [...contract].sort(),
    rejected: [...rejected].sort(),
    threshold: keyring.roles.contract.threshold,
  };
}
