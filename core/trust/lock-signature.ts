// templates.lock signed by the keyring's contract threshold: the verdict on a lock's detached
// signatures (templates.lock.sig.d/*.sig, SSHSIG over the exact lock bytes, namespace
// `plumb-templates-lock-v1@<org>`), by the same rules as contract manifests
// (core/trust/signature-set.ts: byte-exact armor, contract role, not revoked, validity window,
// distinct keys). Pure: the caller reads the files (core/io/lock-trust.ts).
import { PlumbError } from "../errors.js";
import type { Keyring } from "./keyring.js";
import {
  countThreshold,
  type SignatureFile,
  type ThresholdResult,
  verifyAll,
} from "./signature-set.js";

export const LOCK_FILE = "templates.lock";
export const LOCK_SIG_DIR = "templates.lock.sig.d";
export const lockNamespace = (org: string) => `plumb-templates-lock-v1@${org}`;

const SIGN_HINT =
  "review templates.lock, then run `plumb templates sign --key <file>` (or --agent)";

export type LockVerdict =
  /** Signed by the contract threshold: the catalog may load. */
  | { readonly state: "signed"; readonly result: ThresholdResult }
  /** No keyring to check against (a repository that does not deliver contracts). */
  | { readonly state: "no-keyring"; readonly error: PlumbError }
  /** No signature files, or valid ones below the threshold: incomplete, not forged. */
  | { readonly state: "unsigned" | "under-threshold"; readonly error: PlumbError }
  /** A signature that does not verify, or a keyring that does not: refused everywhere. */
  | { readonly state: "invalid"; readonly error: PlumbError };

/** Judges `signatures` over `lock` (the exact bytes) against the contract role of `keyring`. */
export function judgeLock(
  lock: Uint8Array,
  signatures: readonly SignatureFile[],
  keyring: Keyring | undefined,
  now: Date,
): LockVerdict {
  if (!keyring)
    return {
      state: "no-keyring",
      error: new PlumbError(
        signatures.length === 0 ? "PLB836" : "PLB869",
        signatures.length === 0
          ? `${LOCK_FILE} is not signed, and the repository has no keyring (keys/keyring.json) to sign it with`
          : `${LOCK_FILE} cannot be checked: the repository has no keyring (keys/keyring.json)`,
        {
          hint: "create one (`plumb keys init`, `plumb keys sign-keyring`), then `plumb templates sign --key <file>`",
        },
      ),
    };
  const threshold = keyring.roles.contract.threshold;
  if (signatures.length === 0)
    return {
      state: "unsigned",
      error: new PlumbError(
        "PLB836",
        `${LOCK_FILE} is not signed (${LOCK_SIG_DIR}/ holds no signature; the contract threshold of keyring v${keyring.version} is ${threshold})`,
        { hint: SIGN_HINT },
      ),
    };
  let checks: ReturnType<typeof verifyAll>;
  try {
    checks = verifyAll(
      lock,
      lockNamespace(keyring.org),
      signatures,
      [{ keyring, role: "contract" }],
      now,
    );
  } catch (e) {
    if (!(e instanceof PlumbError)) throw e;
    return {
      state: "invalid",
      error: new PlumbError(
        "PLB837",
        `${LOCK_FILE} signature ${LOCK_SIG_DIR}/${e.message} [${e.code}]`,
        {
          hint: `the lock changed after signing, or a signature is not by a current contract key: remove the stale file, then ${SIGN_HINT.replace("review templates.lock, then ", "")}`,
        },
      ),
    };
  }
  try {
    return { state: "signed", result: countThreshold(checks, keyring, "contract", "PLB838") };
  } catch (e) {
    if (!(e instanceof PlumbError)) throw e;
    return {
      state: "under-threshold",
      error: new PlumbError("PLB838", `${LOCK_FILE}: ${e.message}`, {
        hint: `more contract key holders run \`plumb templates sign --key <file>\` (${threshold} distinct needed)`,
      }),
    };
  }
}

/** Fail closed: anything but a lock signed by the contract threshold throws its error. */
export function requireSignedLock(verdict: LockVerdict): ThresholdResult {
  if (verdict.state === "signed") return verdict.result;
  throw verdict.error;
}
