// Files of the trust layer: the repo keyring (keys/keyring.json + keys/keyring.sig.d/*.sig),
// its history (keys/history/<N>/keyring.json + keyring.sig.d/), and contract bundles
// (<dir>/contract.sh, hfc.json, manifest.json, signatures/*.sig).
import {
  closeSync,
  cpSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { PlumbError } from "../errors.js";
import type { KeyringVersionFiles } from "../trust/chain.js";
import type { Bundle, SignatureFile } from "../trust/verify.js";
import { fsyncDir } from "./atomic-write.js";

export const KEYRING_FILE = join("keys", "keyring.json");
export const KEYRING_SIGS = join("keys", "keyring.sig.d");
export const KEYRING_HISTORY = join("keys", "history");

/** Temp file + fsync + rename + directory fsync: readers see old or new bytes, never half. */
export function writeAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", mode);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(join(path, ".."));
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

/** Superseded keyring versions, `keys/history/<N>/` (directory names must be plain numbers). */
export function readKeyringHistory(root: string): KeyringVersionFiles[] {
  const dir = join(root, KEYRING_HISTORY);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const file = join(dir, name, "keyring.json");
      if (!/^[1-9][0-9]*$/.test(name) || !existsSync(file))
        throw new PlumbError(
          "PLB843",
          `keyring chain: ${KEYRING_HISTORY}/${name} is not <N>/keyring.json`,
          {
            hint: "keys/history/ holds one folder per superseded version, named by its number",
          },
        );
      return {
        source: join(KEYRING_HISTORY, name),
        bytes: readFileSync(file),
        signatures: readSignatures(join(dir, name, "keyring.sig.d")),
      };
    });
}

/** Copies the current keyring and its signatures to keys/history/<version>/ (before an edit). */
export function archiveKeyring(root: string, version: number): void {
  const dest = join(root, KEYRING_HISTORY, String(version));
  if (existsSync(join(dest, "keyring.json"))) return;
  const tmp = `${dest}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, "keyring.sig.d"), { recursive: true });
  cpSync(join(root, KEYRING_FILE), join(tmp, "keyring.json"));
  if (existsSync(join(root, KEYRING_SIGS)))
    cpSync(join(root, KEYRING_SIGS), join(tmp, "keyring.sig.d"), { recursive: true });
  renameSync(tmp, dest);
  fsyncDir(join(root, KEYRING_HISTORY));
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
