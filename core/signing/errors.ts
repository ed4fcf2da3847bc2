// Typed errors of the signing core. Each class narrows the code range it may carry, and the
// signature error also names the failed check (`reason`) so callers and tests can branch on it.
import type { Code } from "../codes.js";
import { PlumbError, type PlumbErrorOptions } from "../errors.js";

export type SshWireFault = "truncated" | "trailing-data" | "invalid-text";

/** A length-prefixed SSH structure is truncated, followed by extra bytes or holds bad UTF-8. */
export class SshWireError extends PlumbError {
  readonly kind: SshWireFault;

  constructor(kind: SshWireFault, message: string) {
    super("PLB808", message, { source: "user" });
    this.name = "SshWireError";
    this.kind = kind;
  }
}

export type KeyCode = "PLB801" | "PLB802" | "PLB803" | "PLB804";

/** A public or private key could not be read or is not an Ed25519 key. */
export class KeyError extends PlumbError {
  declare readonly code: KeyCode;

  constructor(code: KeyCode, message: string, options: PlumbErrorOptions = {}) {
    super(code, message, options);
    this.name = "KeyError";
  }
}

export type AgentCode = "PLB805" | "PLB806" | "PLB807";

/** ssh-agent could not be reached, lacks the key or refused to sign. */
export class AgentError extends PlumbError {
  declare readonly code: AgentCode;

  constructor(code: AgentCode, message: string, options: PlumbErrorOptions = {}) {
    super(code, message, options);
    this.name = "AgentError";
  }
}

/** Which check refused a signature; one code each (see SIGNATURE_CODES). */
export type SignatureReason =
  | "armor"
  | "truncated"
  | "trailing-data"
  | "bad-magic"
  | "unsupported-version"
  | "namespace-mismatch"
  | "unsupported-hash"
  | "unsupported-key-type"
  | "key-mismatch"
  | "bad-signature"
  | "malformed-field"
  | "invalid-namespace"
  | "reserved-not-empty";

export const SIGNATURE_CODES = {
  armor: "PLB810",
  truncated: "PLB811",
  "trailing-data": "PLB812",
  "bad-magic": "PLB813",
  "unsupported-version": "PLB814",
  "namespace-mismatch": "PLB815",
  "unsupported-hash": "PLB816",
  "unsupported-key-type": "PLB817",
  "key-mismatch": "PLB818",
  "bad-signature": "PLB819",
  "malformed-field": "PLB820",
  "invalid-namespace": "PLB821",
  "reserved-not-empty": "PLB822",
} as const satisfies Record<SignatureReason, Code>;

export type SignatureCode = (typeof SIGNATURE_CODES)[SignatureReason];

/** An SSHSIG signature was refused (or could not be produced); `reason` names the check. */
export class SignatureError extends PlumbError {
  declare readonly code: SignatureCode;
  readonly reason: SignatureReason;

  constructor(reason: SignatureReason, message: string, options: PlumbErrorOptions = {}) {
    super(SIGNATURE_CODES[reason], message, options);
    this.name = "SignatureError";
    this.reason = reason;
  }
}

/** A line of an allowed_signers file is invalid (PLB830) or unsupported (PLB831). */
export class AllowedSignersError extends PlumbError {
  declare readonly code: "PLB830" | "PLB831";
  readonly line: number;

  constructor(
    code: "PLB830" | "PLB831",
    line: number,
    message: string,
    options: PlumbErrorOptions = {},
  ) {
    super(code, `line ${line}: ${message}`, options);
    this.name = "AllowedSignersError";
    this.line = line;
  }
}

/** A value is not canonical-JSON data (PLB840) or bytes are not canonical JSON (PLB841). */
export class CanonicalJsonError extends PlumbError {
  declare readonly code: "PLB840" | "PLB841";
  /** JSON-pointer-like location of the offending value, "" for the root. */
  readonly path: string;

  constructor(code: "PLB840" | "PLB841", path: string, message: string) {
    super(code, path === "" ? message : `${path}: ${message}`);
    this.name = "CanonicalJsonError";
    this.path = path;
  }
}
