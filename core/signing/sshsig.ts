// OpenSSH signatures (PROTOCOL.sshsig), Ed25519 only: what `ssh-keygen -Y sign` writes and
// `ssh-keygen -Y verify` checks. Verification is strict and fail-closed: every field is checked
// and each failed check throws a SignatureError naming it (see errors.ts, docs/signing.md).
import { createHash, verify } from "node:crypto";
import { decodeBase64Strict, encodeBase64, wrapLines } from "./base64.js";
import { isWellFormedText } from "./canonical-json.js";
import { KeyError, SignatureError, type SignatureReason, SshWireError } from "./errors.js";
import {
  ED25519,
  fingerprint,
  parsePublicKeyBlob,
  publicKeyBlob,
  publicKeyObject,
  type SshPublicKey,
  samePublicKey,
} from "./public-key.js";
import type { Signer } from "./signer.js";
import { bytesEqual, SshReader, SshWriter, utf8 } from "./ssh-wire.js";

const BEGIN = "-----BEGIN SSH SIGNATURE-----";
const END = "-----END SSH SIGNATURE-----";
const MAGIC = utf8("SSHSIG");
const VERSION = 1;
/**
 * PROTOCOL.sshsig says 76 columns, but ssh-keygen wraps at 70 (sshbuf_dtob64(…, 1)); 70 makes
 * our output byte-identical to ssh-keygen's, which keeps differential tests exact.
 */
const LINE_WIDTH = 70;
/** A real Ed25519 signature file is ~300 bytes; the cap bounds work on hostile input. */
const MAX_ARMOR_BYTES = 16 * 1024;
const ED25519_SIGNATURE_BYTES = 64;

export type HashAlgorithm = "sha512" | "sha256";
const HASH_ALGORITHMS: readonly string[] = ["sha512", "sha256"];

/** The decoded fields of an SSHSIG blob (structure checked, signature not yet verified). */
export interface SshSignature {
  readonly publicKey: SshPublicKey;
  /** Raw namespace bytes: compared bytewise, never normalised. */
  readonly namespace: Uint8Array;
  readonly hashAlgorithm: HashAlgorithm;
  /** The raw 64-byte Ed25519 signature. */
  readonly signature: Uint8Array;
}

export interface VerifiedSignature {
  readonly publicKey: SshPublicKey;
  readonly fingerprint: string;
  readonly namespace: string;
  readonly hashAlgorithm: HashAlgorithm;
}

function fail(reason: SignatureReason, message: string, cause?: unknown): SignatureError {
  return new SignatureError(reason, message, cause === undefined ? {} : { cause });
}

/** Refuses namespaces ssh-keygen cannot express (empty, NUL) or that break line-based files. */
export function checkNamespace(namespace: string): void {
  if (namespace === "" || /[\0\r\n]/.test(namespace) || !isWellFormedText(namespace)) {
    throw fail("invalid-namespace", `invalid signature namespace ${JSON.stringify(namespace)}`);
  }
}

/** The bytes the key actually signs: magic, namespace, reserved, hash name, H(message). */
function signedData(namespace: Uint8Array, hash: HashAlgorithm, message: Uint8Array): Uint8Array {
  const digest = createHash(hash).update(message).digest();
  return new SshWriter()
    .raw(MAGIC)
    .string(namespace)
    .string(new Uint8Array(0))
    .string(hash)
    .string(digest) // length-prefixed, as OpenSSH >= 8.1 signs it
    .bytes();
}

/** Encodes a signature blob as the `-----BEGIN SSH SIGNATURE-----` text ssh-keygen writes. */
export function armorSshsig(blob: Uint8Array): string {
  return [BEGIN, ...wrapLines(encodeBase64(blob), LINE_WIDTH), END, ""].join("\n");
}

/**
 * Decodes the armor. Like ssh-keygen: the text must start with the header line and LF endings.
 * Stricter than ssh-keygen: only base64 lines in between, and nothing after the footer but one
 * optional newline (ssh-keygen ignores anything there).
 */
export function dearmorSshsig(armored: string | Uint8Array): Uint8Array {
  if (armored.length > MAX_ARMOR_BYTES) {
    throw fail("armor", `signature text is larger than ${MAX_ARMOR_BYTES} bytes`);
  }
  const text = typeof armored === "string" ? armored : asciiText(armored);
  if (!text.startsWith(`${BEGIN}\n`)) {
    throw fail("armor", `signature must start with "${BEGIN}" and a newline`);
  }
  const endAt = text.indexOf(`\n${END}`);
  if (endAt < 0) throw fail("armor", `missing "${END}"`);
  const after = text.slice(endAt + END.length + 1);
  if (after !== "" && after !== "\n") throw fail("armor", "data after the signature footer");
  const lines = text.slice(BEGIN.length + 1, endAt).split("\n");
  if (lines.some((l) => l === "" || !/^[A-Za-z0-9+/=]+$/.test(l))) {
    throw fail("armor", "the signature body holds a blank line or non-base64 characters");
  }
  const blob = decodeBase64Strict(lines.join(""));
  if (blob === undefined) throw fail("armor", "the signature body is not valid base64");
  return blob;
}

function asciiText(bytes: Uint8Array): string {
  if (bytes.some((b) => b > 0x7e || (b < 0x20 && b !== 0x0a))) {
    throw fail("armor", "signature text holds non-ASCII or control bytes");
  }
  return Buffer.from(bytes).toString("latin1");
}

/** Maps wire faults inside the blob to their reason; other errors pass through. */
function wireReason(e: unknown): SignatureError | undefined {
  if (!(e instanceof SshWireError)) return undefined;
  const reason = e.kind === "invalid-text" ? "malformed-field" : e.kind;
  return fail(reason, e.message, e);
}

/** Strictly decodes an SSHSIG blob. Does not check the namespace, the key or the signature. */
export function parseSshsigBlob(blob: Uint8Array): SshSignature {
  const r = new SshReader(blob, "signature");
  try {
    // A short blob that is a prefix of the magic is a cut signature, anything else is not SSHSIG.
    const head = blob.subarray(0, MAGIC.length);
    if (!bytesEqual(head, MAGIC.subarray(0, head.length))) {
      throw fail("bad-magic", 'the blob does not start with "SSHSIG"');
    }
    r.raw(MAGIC.length);
    const version = r.uint32();
    if (version !== VERSION) {
      throw fail("unsupported-version", `signature version ${version} (only ${VERSION} exists)`);
    }
    const keyBlob = r.string();
    const namespace = r.string();
    const reserved = r.string();
    const hashName = r.text();
    const sigBlob = r.string();
    r.end();

    const publicKey = parseEmbeddedKey(keyBlob);
    if (namespace.length === 0) throw fail("invalid-namespace", "the signature has no namespace");
    // ssh-keygen skips this field; refusing it keeps one signature to one encoding.
    if (reserved.length !== 0) throw fail("reserved-not-empty", "the reserved field is not empty");
    if (!HASH_ALGORITHMS.includes(hashName)) {
      throw fail("unsupported-hash", `unsupported hash algorithm ${JSON.stringify(hashName)}`);
    }
    return {
      publicKey,
      namespace: Uint8Array.from(namespace),
      hashAlgorithm: hashName as HashAlgorithm,
      signature: parseSignatureBlob(sigBlob),
    };
  } catch (e) {
    throw wireReason(e) ?? e;
  }
}

function parseEmbeddedKey(keyBlob: Uint8Array): SshPublicKey {
  try {
    return parsePublicKeyBlob(keyBlob);
  } catch (e) {
    if (e instanceof KeyError && e.code === "PLB802") {
      throw fail("unsupported-key-type", `signature key: ${e.message}`, e);
    }
    if (e instanceof KeyError) throw fail("malformed-field", `signature key: ${e.message}`, e);
    throw e;
  }
}

/** string sigalg || string raw; the algorithm must be ssh-ed25519 and raw exactly 64 bytes. */
function parseSignatureBlob(sigBlob: Uint8Array): Uint8Array {
  const s = new SshReader(sigBlob, "signature value");
  const alg = s.text();
  if (alg !== ED25519) {
    throw fail(
      "unsupported-key-type",
      `signature algorithm ${JSON.stringify(alg)} is not ssh-ed25519`,
    );
  }
  const raw = s.string();
  s.end();
  if (raw.length !== ED25519_SIGNATURE_BYTES) {
    throw fail("malformed-field", `Ed25519 signature is ${raw.length} bytes, expected 64`);
  }
  return Uint8Array.from(raw);
}

export function encodeSshsigBlob(sig: SshSignature): Uint8Array {
  return new SshWriter()
    .raw(MAGIC)
    .uint32(VERSION)
    .string(publicKeyBlob(sig.publicKey))
    .string(sig.namespace)
    .string(new Uint8Array(0))
    .string(sig.hashAlgorithm)
    .string(new SshWriter().string(ED25519).string(sig.signature).bytes())
    .bytes();
}

export interface SignOptions {
  /** sha512 by default, like ssh-keygen; sha256 matches `-O hashalg=sha256`. */
  readonly hashAlgorithm?: HashAlgorithm;
}

/**
 * Signs `message` in `namespace` and returns the armored signature, byte-identical to what
 * `ssh-keygen -Y sign -n <namespace>` writes for the same Ed25519 key. The fresh signature is
 * verified before it is returned when it comes from outside the process, so a faulty signer
 * (agent, token) cannot publish garbage.
 */
export async function signSshsig(
  message: Uint8Array,
  namespace: string,
  signer: Signer,
  options: SignOptions = {},
): Promise<string> {
  checkNamespace(namespace);
  const hashAlgorithm = options.hashAlgorithm ?? "sha512";
  const ns = utf8(namespace);
  const signature = await signer.sign(signedData(ns, hashAlgorithm, message));
  const armored = armorSshsig(
    encodeSshsigBlob({ publicKey: signer.publicKey, namespace: ns, hashAlgorithm, signature }),
  );
  if (signer.inProcess !== true) verifySshsig(armored, message, namespace, signer.publicKey);
  return armored;
}

/**
 * Verifies an armored SSHSIG signature over `message`, made in `namespace` by `publicKey`.
 * Returns what was verified; throws SignatureError (reason + PLB81x/82x code) otherwise.
 * The order of checks is fixed (armor, framing, fields, namespace, key, cryptography), so a
 * given corruption always yields the same reason.
 */
export function verifySshsig(
  armored: string | Uint8Array,
  message: Uint8Array,
  namespace: string,
  publicKey: SshPublicKey,
): VerifiedSignature {
  checkNamespace(namespace);
  const sig = parseSshsigBlob(dearmorSshsig(armored));
  if (!bytesEqual(sig.namespace, utf8(namespace))) {
    throw fail(
      "namespace-mismatch",
      `signature namespace ${JSON.stringify(Buffer.from(sig.namespace).toString())} is not ${JSON.stringify(namespace)}`,
    );
  }
  // The embedded key is attacker-chosen; only the caller's key is trusted.
  if (!samePublicKey(sig.publicKey, publicKey)) {
    throw fail(
      "key-mismatch",
      `signed by ${fingerprint(sig.publicKey)}, expected ${fingerprint(publicKey)}`,
    );
  }
  const data = signedData(sig.namespace, sig.hashAlgorithm, message);
  let valid: boolean;
  try {
    valid = verify(null, data, publicKeyObject(publicKey), sig.signature);
  } catch {
    valid = false; // a malformed signature the crypto layer refuses outright is still just invalid
  }
  if (!valid) {
    throw fail("bad-signature", "the signature does not match the message and key");
  }
  return {
    publicKey,
    fingerprint: fingerprint(publicKey),
    namespace,
    hashAlgorithm: sig.hashAlgorithm,
  };
}
