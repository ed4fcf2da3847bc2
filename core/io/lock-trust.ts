// The files behind the signed catalog lock: templates.lock (exact bytes), its signatures
// (templates.lock.sig.d/*.sig) and the repository's verified keyring. One loader for the
// fail-closed callers (forge, `contract test`, delivery) and one for the reporting callers
// (validate, `templates check`), so every command judges a lock the same way.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic } from "../diagnostics.js";
import { PlumbError } from "../errors.js";
import type { Keyring } from "../trust/keyring.js";
import {
  judgeLock,
  LOCK_FILE,
  LOCK_SIG_DIR,
  type LockVerdict,
  requireSignedLock,
} from "../trust/lock-signature.js";
import type { ThresholdResult } from "../trust/signature-set.js";
import { loadVerifiedKeyring } from "./keyring-state.js";
import { readSignatures, signatureName, writeAtomic } from "./trust-store.js";

export interface LockFiles {
  /** templates.lock as it is on disk, or undefined when there is none. */
  readonly bytes: Uint8Array | undefined;
  readonly signatures: ReturnType<typeof readSignatures>;
}

export function readLockFiles(root: string): LockFiles {
  const file = join(root, LOCK_FILE);
  return {
    bytes: existsSync(file) ? readFileSync(file) : undefined,
    signatures: readSignatures(join(root, LOCK_SIG_DIR)),
  };
}

type KeyringRead = { keyring: Keyring | undefined } | { error: PlumbError };

/** The verified keyring (a read: this machine's record is not raised), none, or why not. */
function readKeyring(root: string, env: NodeJS.ProcessEnv, now: Date): KeyringRead {
  if (!existsSync(join(root, "keys", "keyring.json"))) return { keyring: undefined };
  try {
    return { keyring: loadVerifiedKeyring(root, env, { now, record: false }).keyring };
  } catch (e) {
    if (!(e instanceof PlumbError)) throw e;
    return {
      error: new PlumbError(
        "PLB869",
        `${LOCK_FILE} cannot be checked: the keyring does not verify ([${e.code}] ${e.message})`,
        { hint: "fix keys/ first (`plumb keys verify`)" },
      ),
    };
  }
}

/** The verdict on the repository's lock; `undefined` when there is no templates.lock at all. */
export function lockVerdict(
  root: string,
  env: NodeJS.ProcessEnv,
  now: Date,
): LockVerdict | undefined {
  const files = readLockFiles(root);
  if (files.bytes === undefined) return undefined;
  const k = readKeyring(root, env, now);
  if ("error" in k) return { state: "invalid", error: k.error };
  return judgeLock(files.bytes, files.signatures, k.keyring, now);
}

/**
 * Fail closed, for everything that forges or delivers: the lock must exist and be signed by the
 * contract threshold of the verified keyring, else the catalog loads nothing (throws).
 */
export function assertCatalogTrusted(
  root: string,
  env: NodeJS.ProcessEnv,
  now: Date,
): ThresholdResult {
  const verdict = lockVerdict(root, env, now);
  if (verdict === undefined)
    throw new PlumbError("PLB869", `${LOCK_FILE} does not exist: the catalog loads nothing`, {
      hint: "run `plumb templates lock`, then `plumb templates sign --key <file>`",
    });
  return requireSignedLock(verdict);
}

/**
 * For validate and `templates check`: an unsigned or under-threshold lock is a warning (with or
 * without a keyring: a repository that does not deliver contracts stays valid); a signature that
 * does not verify, or a keyring that does not, is an error.
 */
export function lockTrustDiagnostics(
  root: string,
  env: NodeJS.ProcessEnv,
  now: Date,
): Diagnostic[] {
  const verdict = lockVerdict(root, env, now);
  if (verdict === undefined || verdict.state === "signed") return [];
  // Unsigned, under threshold, or no keyring to check with: incomplete, a warning. A signature
  // or keyring that does not verify: an error.
  const severity = verdict.state === "invalid" ? "error" : "warning";
  const e = verdict.error;
  return [
    {
      code: e.code,
      severity,
      message:
        severity === "error"
          ? e.message
          : `${e.message} — forging and delivering contracts refuse it`,
      ...(e.hint ? { hint: e.hint } : {}),
      location: { file: LOCK_FILE, line: 1, column: 1 },
    },
  ];
}

/** Removes every lock signature (they sign other bytes once the lock changes). */
export function clearLockSignatures(root: string): number {
  const dir = join(root, LOCK_SIG_DIR);
  if (!existsSync(dir)) return 0;
  const n = readdirSync(dir).filter((x) => x.endsWith(".sig")).length;
  rmSync(dir, { recursive: true, force: true });
  return n;
}

export function writeLockSignature(root: string, fingerprint: string, armored: string): string {
  const dir = join(root, LOCK_SIG_DIR);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, signatureName(fingerprint));
  writeAtomic(path, armored);
  return join(LOCK_SIG_DIR, signatureName(fingerprint));
}
