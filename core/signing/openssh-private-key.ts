// Unencrypted OpenSSH private keys (PROTOCOL.key, "openssh-key-v1"), Ed25519 only. node:crypto
// cannot read this format, so it is parsed here into a KeyObject. Encrypted keys are refused on
// purpose: plumbline reads no passphrases, such keys belong in ssh-agent (see ssh-agent.ts).
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomInt } from "node:crypto";
import { decodeBase64Strict, encodeBase64, wrapLines } from "./base64.js";
import { KeyError, SshWireError } from "./errors.js";
import {
  ED25519,
  parsePublicKeyBlob,
  publicKeyBlob,
  publicKeyFromKeyObject,
  type SshPublicKey,
  samePublicKey,
  unsupportedKeyType,
} from "./public-key.js";
import { bytesEqual, concatBytes, SshReader, SshWriter, utf8 } from "./ssh-wire.js";

const BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
const END = "-----END OPENSSH PRIVATE KEY-----";
const MAGIC = utf8("openssh-key-v1\0");
/** Cipher block size of "none"; the private section is padded to a multiple of it. */
const BLOCK_SIZE = 8;
/** ssh-keygen wraps the base64 body at 70 columns. */
const LINE_WIDTH = 70;
/** Far above any Ed25519 key file (~400 bytes); bounds memory on a wrong path. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

export interface OpensshPrivateKey {
  readonly publicKey: SshPublicKey;
  readonly privateKey: KeyObject;
  readonly comment: string;
}

const ENCRYPTED_HINT =
  "load the key into ssh-agent (`ssh-add <file>`) and sign through the agent; the key then stays in the agent or on the hardware token";

// DER of PKCS#8 OneAsymmetricKey for Ed25519 (RFC 8410) up to the 32-byte seed.
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

function invalid(message: string, cause?: unknown): KeyError {
  return new KeyError("PLB803", message, {
    hint: "check the file with `ssh-keygen -y -f <file>`; plumbline reads unencrypted Ed25519 openssh-key-v1 files",
    ...(cause === undefined ? {} : { cause }),
  });
}

function dearmor(text: string): Uint8Array {
  const lines = text.replace(/\r\n/g, "\n").trim().split("\n");
  const first = lines[0]?.trim() ?? "";
  if (first !== BEGIN) {
    const other = /^-----BEGIN ([A-Z0-9 ]+)-----$/.exec(first);
    if (other?.[1]?.includes("ENCRYPTED")) {
      throw new KeyError("PLB804", `the key file is an encrypted ${other[1]}`, {
        hint: ENCRYPTED_HINT,
      });
    }
    throw invalid(
      other === null
        ? "not an OpenSSH private key (missing `-----BEGIN OPENSSH PRIVATE KEY-----`)"
        : `a ${other[1]} file, not an OpenSSH private key; convert it with \`ssh-keygen -p -f <file>\``,
    );
  }
  if (lines.at(-1)?.trim() !== END) throw invalid(`missing \`${END}\``);
  const body = lines
    .slice(1, -1)
    .map((l) => l.trim())
    .join("");
  const blob = decodeBase64Strict(body);
  if (blob === undefined) throw invalid("the key body is not valid base64");
  return blob;
}

/** Parses an unencrypted Ed25519 `-----BEGIN OPENSSH PRIVATE KEY-----` file. */
export function parseOpensshPrivateKey(input: string | Uint8Array): OpensshPrivateKey {
  if (input.length > MAX_KEY_FILE_BYTES) throw invalid("file too large for an Ed25519 key");
  const text = typeof input === "string" ? input : new TextDecoder().decode(input);
  const blob = dearmor(text);
  try {
    return parseKeyBlob(blob);
  } catch (e) {
    if (e instanceof SshWireError) throw invalid(`malformed key: ${e.message}`, e);
    throw e;
  }
}

function parseKeyBlob(blob: Uint8Array): OpensshPrivateKey {
  const r = new SshReader(blob, "openssh-key-v1");
  if (!bytesEqual(r.raw(MAGIC.length), MAGIC)) throw invalid("missing the openssh-key-v1 magic");
  const cipher = r.text();
  const kdf = r.text();
  r.string(); // kdf options: only meaningful with a kdf, checked below
  if (cipher !== "none" || kdf !== "none") {
    throw new KeyError("PLB804", `the private key is encrypted (cipher ${cipher}, kdf ${kdf})`, {
      hint: ENCRYPTED_HINT,
    });
  }
  const count = r.uint32();
  if (count !== 1) throw invalid(`the file holds ${count} keys; exactly one is supported`);
  const outerPublic = parsePublicKeyBlob(r.string());
  const section = r.string();
  r.end();
  if (section.length % BLOCK_SIZE !== 0) {
    throw invalid(`private section length ${section.length} is not a multiple of ${BLOCK_SIZE}`);
  }

  const p = new SshReader(section, "private key section");
  // Equal check words are how OpenSSH detects a wrong passphrase; unencrypted, they detect corruption.
  const check1 = p.uint32();
  const check2 = p.uint32();
  if (check1 !== check2) throw invalid("check words differ: the key file is corrupt");
  const type = p.text();
  if (type !== ED25519) throw unsupportedKeyType(type);
  const pk = p.string();
  const sk = p.string();
  const comment = p.text();
  const padding = p.raw(p.remaining);
  padding.forEach((b, i) => {
    if (b !== i + 1) throw invalid("bad padding after the private key");
  });
  if (padding.length >= BLOCK_SIZE) throw invalid("too much padding after the private key");
  if (pk.length !== 32 || sk.length !== 64) {
    throw invalid(`Ed25519 key parts have ${pk.length}/${sk.length} bytes, expected 32/64`);
  }
  // OpenSSH stores sk as seed || pk; all three copies of the public key must agree.
  if (!bytesEqual(sk.subarray(32), pk) || !bytesEqual(pk, outerPublic.key)) {
    throw invalid("the public key copies inside the file disagree");
  }
  // Built from the seed alone (PKCS#8), so the check below is ours, whatever Node's JWK import
  // validates in a given release; any refusal by the crypto layer is still a key-file error.
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_PREFIX, sk.subarray(0, 32)]),
      format: "der",
      type: "pkcs8",
    });
  } catch (e) {
    throw invalid("the private key is not a valid Ed25519 key", e);
  }
  const publicKey = publicKeyFromKeyObject(privateKey, comment);
  // Catches a file whose stored public key does not belong to its seed.
  if (!samePublicKey(publicKey, outerPublic)) {
    throw invalid("the stored public key does not match the private key");
  }
  return { publicKey, privateKey, comment };
}

export interface FormatOptions {
  /** The random check word; fixed only by tests that compare bytes with ssh-keygen's output. */
  readonly checkInt?: number;
}

/** Serialises a key as ssh-keygen writes it (unencrypted, 70-column base64, trailing newline). */
export function formatOpensshPrivateKey(
  key: OpensshPrivateKey,
  options: FormatOptions = {},
): string {
  if (/[\r\n\0]/.test(key.comment)) {
    throw new KeyError("PLB801", "a key comment must not contain line breaks or NUL bytes");
  }
  const jwk = key.privateKey.export({ format: "jwk" });
  if (typeof jwk.d !== "string") throw invalid("not an Ed25519 private key");
  const seed = new Uint8Array(Buffer.from(jwk.d, "base64url"));
  const pub = publicKeyBlob(key.publicKey);
  const checkInt = options.checkInt ?? randomInt(0, 0xffff_ffff);
  const section = new SshWriter()
    .uint32(checkInt)
    .uint32(checkInt)
    .string(ED25519)
    .string(key.publicKey.key)
    .string(concatBytes(seed, key.publicKey.key))
    .string(key.comment);
  const unpadded = section.bytes().length;
  for (let i = 1; (unpadded + i - 1) % BLOCK_SIZE !== 0; i++) section.byte(i);
  const blob = new SshWriter()
    .raw(MAGIC)
    .string("none")
    .string("none")
    .string("")
    .uint32(1)
    .string(pub)
    .string(section.bytes())
    .bytes();
  return [BEGIN, ...wrapLines(encodeBase64(blob), LINE_WIDTH), END, ""].join("\n");
}

/** A fresh Ed25519 key pair. */
export function generateEd25519Key(comment = ""): OpensshPrivateKey {
  const { privateKey } = generateKeyPairSync("ed25519");
  return { privateKey, publicKey: publicKeyFromKeyObject(privateKey, comment), comment };
}
