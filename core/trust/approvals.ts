// Approvals: SSHSIG signatures by the keyring's approver role over a digest (e.g. a saved
// plan's digest), in the namespace `plumb-plan-approval-v1@<org>`. The signed message is the
// UTF-8 bytes of the digest string exactly as given. Callers pass a keyring that was verified
// through its chain (core/trust/chain.ts); this module only checks signatures and threshold.
import { PlumbError } from "../errors.js";
import type { Signer } from "../signing/signer.js";
import { signSshsig } from "../signing/sshsig.js";
import { type Keyring, namespaceFor, roleKeys } from "./keyring.js";
import {
  countThreshold,
  type SignatureFile,
  type ThresholdResult,
  verifyAll,
} from "./signature-set.js";

const digestBytes = (digest: string) => {
  if (digest.length === 0 || /[\0\r\n]/.test(digest))
    throw new PlumbError("PLB842", "an approval digest must be one non-empty line");
  return new TextEncoder().encode(digest);
};

/** The armored signature an approver adds (self-verified by signSshsig). */
export async function signApproval(
  keyring: Keyring,
  digest: string,
  signer: Signer,
): Promise<string> {
  return signSshsig(digestBytes(digest), namespaceFor("plan-approval", keyring.org), signer);
}

/**
 * Refuses (PLB842, or the first bad signature's code) unless `signatures` are all valid approver
 * signatures over `digest` and at least `roles.approver.threshold` distinct keys signed.
 */
export function verifyApprovals(
  keyring: Keyring,
  digest: string,
  signatures: readonly SignatureFile[],
  now: Date = new Date(),
): ThresholdResult {
  if (roleKeys(keyring, "approver").length === 0)
    throw new PlumbError("PLB842", `keyring v${keyring.version} has no approver keys`, {
      hint: "plumb keys trust <pub> --principal <name> --role approver, then re-sign the keyring",
    });
  const checks = verifyAll(
    digestBytes(digest),
    namespaceFor("plan-approval", keyring.org),
    signatures,
    [{ keyring, role: "approver" }],
    now,
  );
  return countThreshold(checks, keyring, "approver", "PLB842");
}
