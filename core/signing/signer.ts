// The one signing interface. A key file and ssh-agent both implement it, so SSHSIG code never
// knows (or needs) where the private key lives.
import { sign } from "node:crypto";
import type { OpensshPrivateKey } from "./openssh-private-key.js";
import type { SshPublicKey } from "./public-key.js";

export interface Signer {
  readonly publicKey: SshPublicKey;
  /**
   * True for Node's own in-process Ed25519 signing, whose output needs no re-check. Agents and
   * hardware tokens leave it unset, so signSshsig verifies what they return before publishing.
   */
  readonly inProcess?: boolean;
  /** The raw 64-byte Ed25519 signature of `data` (no SSH framing). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** Signs in-process with a key read from an OpenSSH key file. */
export function keySigner(key: OpensshPrivateKey): Signer {
  return {
    publicKey: key.publicKey,
    inProcess: true,
    sign: async (data) => new Uint8Array(sign(null, data, key.privateKey)),
  };
}
