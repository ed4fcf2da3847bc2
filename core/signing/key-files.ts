// Reading and writing OpenSSH key files: the file-system edge of the signing core (the
// parsers and formatters it calls take and return content).
import {
  closeSync,
  constants,
  existsSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from "node:fs";
import { PlumbError } from "../errors.js";
import { KeyError } from "./errors.js";
import {
  formatOpensshPrivateKey,
  generateEd25519Key,
  type OpensshPrivateKey,
  parseOpensshPrivateKey,
} from "./openssh-private-key.js";
import { formatPublicKey, parsePublicKey, type SshPublicKey } from "./public-key.js";

const MAX_KEY_FILE_BYTES = 64 * 1024;

function readSmallFile(path: string): Buffer {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (cause) {
    throw new PlumbError("PLB002", `${path}: cannot read (${(cause as Error).message})`, { cause });
  }
  if (size > MAX_KEY_FILE_BYTES) {
    throw new KeyError("PLB803", `${path}: ${size} bytes is too large for a key file`);
  }
  return readFileSync(path);
}

export function readPrivateKeyFile(path: string): OpensshPrivateKey {
  return parseOpensshPrivateKey(readSmallFile(path));
}

/** Reads a `.pub` file (its first non-empty line). */
export function readPublicKeyFile(path: string): SshPublicKey {
  const line = readSmallFile(path)
    .toString("utf8")
    .split("\n")
    .find((l) => l.trim() !== "");
  if (line === undefined) throw new KeyError("PLB801", `${path}: empty public key file`);
  return parsePublicKey(line);
}

export interface WrittenKeyPair {
  readonly key: OpensshPrivateKey;
  readonly privatePath: string;
  readonly publicPath: string;
}

/** Creates `path` with `mode`, refusing to replace an existing file (O_EXCL). */
function createFile(path: string, content: string, mode: number): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

/**
 * Generates an Ed25519 key pair and writes `path` (private, 0600 as ssh-keygen requires) and
 * `path.pub` (0644). Never overwrites: an existing key may be the only copy of a trusted key.
 */
export function generateKeyPairFiles(path: string, comment: string): WrittenKeyPair {
  const publicPath = `${path}.pub`;
  for (const p of [path, publicPath]) {
    if (existsSync(p)) {
      throw new PlumbError("PLB900", `${p} already exists`, {
        hint: "choose another path or move the existing key away first; keys are never overwritten",
      });
    }
  }
  const key = generateEd25519Key(comment);
  createFile(path, formatOpensshPrivateKey(key), 0o600);
  createFile(publicPath, `${formatPublicKey(key.publicKey)}\n`, 0o644);
  return { key, privatePath: path, publicPath };
}
