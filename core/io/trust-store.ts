// Files of the trust layer: the repo keyring (keys/keyring.json + keys/keyring.sig.d/*.sig) and
// contract bundles (<dir>/contract.sh, hfc.json, manifest.json, signatures/*.sig).
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { PlumbError } from "../errors.js";
import type { Bundle, SignatureFile } from "../trust/verify.js";

export const KEYRING_FILE = join("keys", "keyring.json");
export const KEYRING_SIGS = join("keys", "keyring.sig.d");

export function writeAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}

export function readSignatures(dir: string): SignatureFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith(".sig"))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
}

/** File name for a signature by a key: its fingerprint made file-safe. */
export const signatureName = (fingerprint: string) =>
  `${fingerprint.replace(/^SHA256:/, "").replace(/[^A-Za-z0-9]/g, "_")}.sig`;

export interface KeyringFiles {
  readonly bytes: Uint8Array;
  readonly signatures: SignatureFile[];
}

export function readKeyringFiles(root: string): KeyringFiles {
  const file = join(root, KEYRING_FILE);
  if (!existsSync(file)) {
    throw new PlumbError("PLB870", `${KEYRING_FILE} does not exist`, {
      hint: "create it with `plumb keys init --key <your .pub>`",
    });
  }
  return { bytes: readFileSync(file), signatures: readSignatures(join(root, KEYRING_SIGS)) };
}

/** Writes a new keyring version; its old signatures are removed (they sign other bytes). */
export function writeKeyring(root: string, bytes: Uint8Array): void {
  mkdirSync(join(root, "keys"), { recursive: true });
  rmSync(join(root, KEYRING_SIGS), { recursive: true, force: true });
  mkdirSync(join(root, KEYRING_SIGS), { recursive: true });
  writeAtomic(join(root, KEYRING_FILE), bytes);
}

export function addKeyringSignature(root: string, fingerprint: string, armored: string): string {
  mkdirSync(join(root, KEYRING_SIGS), { recursive: true });
  const path = join(root, KEYRING_SIGS, signatureName(fingerprint));
  writeAtomic(path, armored);
  return path;
}

export function readBundle(dir: string): Bundle {
  const read = (name: string) => {
    const p = join(dir, name);
    if (!existsSync(p))
      throw new PlumbError("PLB885", `${name} is missing in ${dir}`, {
        hint: "a bundle holds contract.sh, hfc.json, manifest.json and signatures/*.sig",
      });
    return readFileSync(p);
  };
  return {
    script: read("contract.sh"),
    hfc: read("hfc.json"),
    manifest: read("manifest.json"),
    signatures: readSignatures(join(dir, "signatures")),
  };
}

export function addBundleSignature(dir: string, fingerprint: string, armored: string): string {
  mkdirSync(join(dir, "signatures"), { recursive: true });
  const path = join(dir, "signatures", signatureName(fingerprint));
  writeAtomic(path, armored);
  return path;
}
