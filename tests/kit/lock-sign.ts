// Test kit: sign a temp repository's templates.lock the way `plumb templates sign` does, so a
// suite that forges contracts starts from a trusted catalog. With keys given they sign under the
// repository's keyring; without a keyring one is created (library, one fresh key, signed).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeAtomic } from "../../core/io/trust-store.js";
import { readPrivateKeyFile } from "../../core/signing/key-files.js";
import {
  generateEd25519Key,
  type OpensshPrivateKey,
} from "../../core/signing/openssh-private-key.js";
import { fingerprint } from "../../core/signing/public-key.js";
import { keySigner } from "../../core/signing/signer.js";
import { signSshsig } from "../../core/signing/sshsig.js";
import { keyringBytes, namespaceFor, newKeyring, parseKeyring } from "../../core/trust/keyring.js";
import { LOCK_FILE, LOCK_SIG_DIR, lockNamespace } from "../../core/trust/lock-signature.js";

const sigName = (fp: string) => `${fp.replace(/^SHA256:/, "").replace(/[^A-Za-z0-9]/g, "_")}.sig`;

/** Writes keys/keyring.json v1 trusting `key` for every role, signed by it (as keys init + sign-keyring). */
export async function createKeyring(root: string, key: OpensshPrivateKey, org = "acme") {
  const k = newKeyring(org, key.publicKey, "alice", "2099-01-01T00:00:00Z");
  const bytes = keyringBytes(k);
  mkdirSync(join(root, "keys", "keyring.sig.d"), { recursive: true });
  writeAtomic(join(root, "keys", "keyring.json"), bytes);
  const sig = await signSshsig(bytes, namespaceFor("keyring", org), keySigner(key));
  writeAtomic(join(root, "keys", "keyring.sig.d", sigName(fingerprint(key.publicKey))), sig);
  return k;
}

/**
 * Signs `root`/templates.lock with each key (private key files or parsed keys). With no key and
 * no keyring, creates a keyring with a fresh key first. Returns the signature file paths.
 */
export async function signTemplatesLock(
  root: string,
  keys: readonly (string | OpensshPrivateKey)[] = [],
): Promise<string[]> {
  let signers = keys.map((k) => (typeof k === "string" ? readPrivateKeyFile(k) : k));
  if (!existsSync(join(root, "keys", "keyring.json"))) {
    const fresh = signers[0] ?? generateEd25519Key("alice");
    await createKeyring(root, fresh);
    if (signers.length === 0) signers = [fresh];
  }
  if (signers.length === 0)
    throw new Error("signTemplatesLock: the repository has a keyring; pass its keys");
  const keyring = parseKeyring(readFileSync(join(root, "keys", "keyring.json")));
  const lock = readFileSync(join(root, LOCK_FILE));
  mkdirSync(join(root, LOCK_SIG_DIR), { recursive: true });
  const out: string[] = [];
  for (const key of signers) {
    const sig = await signSshsig(lock, lockNamespace(keyring.org), keySigner(key));
    const path = join(root, LOCK_SIG_DIR, sigName(fingerprint(key.publicKey)));
    writeAtomic(path, sig);
    out.push(path);
  }
  return out;
}
