// Renders what a target needs to verify contracts with stock OpenSSH: allowed_signers for the
// contract role (namespace-restricted, with validity windows), the revocation list, the policy,
// and the verifier script.
import { formatAllowedSigners } from "../signing/allowed-signers.js";
import { type Keyring, namespaceFor, roleKeys } from "./keyring.js";
import { parseIsoZ } from "./time.js";
import { VERIFIER_SCRIPT } from "./verifier-script.js";

export interface TargetTrustFiles {
  readonly allowed_signers: string;
  readonly revoked_keys: string;
  readonly policy: string;
  readonly "plumb-verify": string;
}

function earliest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

/** `keyringSha256`: sha256 of the keyring.json bytes, recorded so a later export can refuse to
 *  hand this target an older or different keyring. */
export function targetTrustFiles(keyring: Keyring, keyringSha256?: string): TargetTrustFiles {
  const namespace = namespaceFor("contract-manifest", keyring.org);
  const expires = parseIsoZ(keyring.expires);
  const entries = roleKeys(keyring, "contract").map((k) => {
    const before = parseIsoZ(k.entry.valid_before);
    // The key is trusted no longer than the keyring itself.
    const validBefore = earliest(before, expires);
    return {
      // Unique per key, so find-principals names exactly one entry per signature.
      principals: [
        `${k.entry.principal}.${k.fingerprint.slice(7, 19).replace(/[^A-Za-z0-9]/g, "x")}`,
      ],
      namespaces: [namespace],
      validAfter: parseIsoZ(k.entry.valid_after),
      validBefore,
      publicKey: k.key,
      line: 0,
    };
  });
  return {
    allowed_signers: formatAllowedSigners(entries),
    revoked_keys: keyring.revoked.map((r) => `${r}\n`).join(""),
    policy: `namespace=${namespace}\nkeyring_version=${keyring.version}\nthreshold=${keyring.roles.contract.threshold}\n${keyringSha256 ? `keyring_sha256=${keyringSha256}\n` : ""}`,
    "plumb-verify": VERIFIER_SCRIPT,
  };
}
