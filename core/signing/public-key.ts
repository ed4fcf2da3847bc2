// OpenSSH Ed25519 public keys: the one-line `ssh-ed25519 AAAA… comment` form, the wire blob,
// node:crypto KeyObjects and SHA256 fingerprints printed exactly as `ssh-keygen -lf` does.
import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { decodeBase64Strict, encodeBase64, encodeBase64NoPad } from "./base64.js";
import { KeyError, SshWireError } from "./errors.js";
import { bytesEqual, SshReader, SshWriter } from "./ssh-wire.js";

export const ED25519 = "ssh-ed25519";
const ED25519_KEY_BYTES = 32;

/** An Ed25519 public key; `comment` is informational and never part of its identity. */
export interface SshPublicKey {
  readonly type: typeof ED25519;
  /** The 32-byte Ed25519 point. */
  readonly key: Uint8Array;
  readonly comment: string;
}

/** The SSH wire encoding: string "ssh-ed25519" || string key. */
export function publicKeyBlob(pk: SshPublicKey): Uint8Array {
  return new SshWriter().string(ED25519).string(pk.key).bytes();
}

/** Reads a wire public key blob; exact length, Ed25519 only. */
export function parsePublicKeyBlob(blob: Uint8Array, comment = ""): SshPublicKey {
  const r = new SshReader(blob, "public key blob");
  try {
    const type = r.text();
    if (type !== ED25519) throw unsupportedKeyType(type);
    const key = r.string();
    r.end();
    if (key.length !== ED25519_KEY_BYTES) {
      throw new KeyError(
        "PLB801",
        `Ed25519 public key is ${key.length} bytes, expected ${ED25519_KEY_BYTES}`,
      );
    }
    return { type: ED25519, key: Uint8Array.from(key), comment };
  } catch (e) {
    if (e instanceof SshWireError) {
      throw new KeyError("PLB801", `malformed public key: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

export function unsupportedKeyType(type: string): KeyError {
  const shown = JSON.stringify(type.length > 64 ? `${type.slice(0, 64)}…` : type);
  return new KeyError("PLB802", `unsupported key type ${shown}: only ssh-ed25519 is supported`, {
    hint: "create an Ed25519 key with `plumb keys generate` or `ssh-keygen -t ed25519`",
  });
}

/**
 * Parses one OpenSSH public key line (`ssh-ed25519 AAAA… [comment]`, as in a `.pub` file).
 * The type word must match the type inside the blob, so a relabelled key is refused.
 */
export function parsePublicKey(line: string): SshPublicKey {
  const text = line.replace(/\r?\n$/, "").trim();
  if (/[\r\n\0]/.test(text)) {
    throw new KeyError("PLB801", "a public key must be a single line without NUL bytes");
  }
  const m = /^(\S+)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(text);
  if (m === null) {
    throw new KeyError("PLB801", "expected `<key-type> <base64-key> [comment]`", {
      hint: "copy the whole line of the .pub file, e.g. `ssh-ed25519 AAAAC3Nza… alice@example.org`",
    });
  }
  const [, type = "", b64 = "", comment = ""] = m;
  if (type !== ED25519) throw unsupportedKeyType(type);
  const blob = decodeBase64Strict(b64);
  if (blob === undefined) throw new KeyError("PLB801", "the key is not valid base64");
  const pk = parsePublicKeyBlob(blob, comment.trim());
  return pk;
}

/** `ssh-ed25519 AAAA… comment` (no newline); the comment is omitted when empty. */
export function formatPublicKey(pk: SshPublicKey, comment = pk.comment): string {
  if (/[\r\n\0]/.test(comment)) {
    throw new KeyError("PLB801", "a key comment must not contain line breaks or NUL bytes");
  }
  const base = `${ED25519} ${encodeBase64(publicKeyBlob(pk))}`;
  return comment === "" ? base : `${base} ${comment}`;
}

/** `SHA256:<base64, no padding>` of the blob, the fingerprint `ssh-keygen -lf` prints. */
export function fingerprint(pk: SshPublicKey): string {
  return `SHA256:${encodeBase64NoPad(createHash("sha256").update(publicKeyBlob(pk)).digest())}`;
}

/** Same key material (comments are ignored). */
export function samePublicKey(a: SshPublicKey, b: SshPublicKey): boolean {
  return a.type === b.type && bytesEqual(a.key, b.key);
}

// Building a KeyObject costs about as much as hashing the message; verifiers see the same few
// keys over and over (a keyring), so keep them, keyed by the raw key bytes.
const keyObjects = new Map<string, KeyObject>();
const MAX_CACHED_KEYS = 1024;

export function publicKeyObject(pk: SshPublicKey): KeyObject {
  const x = Buffer.from(pk.key).toString("base64url");
  let ko = keyObjects.get(x);
  if (ko === undefined) {
    try {
      ko = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    } catch (e) {
      throw new KeyError("PLB801", "not a valid Ed25519 public key", { cause: e });
    }
    if (keyObjects.size >= MAX_CACHED_KEYS) keyObjects.clear();
    keyObjects.set(x, ko);
  }
  return ko;
}

/** The SshPublicKey of a node Ed25519 KeyObject (public or private). */
export function publicKeyFromKeyObject(key: KeyObject, comment = ""): SshPublicKey {
  if (key.asymmetricKeyType !== "ed25519") {
    throw unsupportedKeyType(key.asymmetricKeyType ?? "unknown");
  }
  const pub = key.type === "private" ? createPublicKey(key) : key;
  const jwk = pub.export({ format: "jwk" });
  if (typeof jwk.x !== "string") throw new KeyError("PLB801", "Ed25519 key without a public part");
  return { type: ED25519, key: new Uint8Array(Buffer.from(jwk.x, "base64url")), comment };
}
