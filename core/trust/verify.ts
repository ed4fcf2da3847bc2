// The verification policy, in one place (the target-side Bash verifier mirrors it). Fail closed:
// every check either passes or throws a PlumbError whose code names the check.
//   1 signatures over the exact bytes: strict SSHSIG, namespace, key in role, not revoked,
//     inside its validity window; threshold counted over distinct public keys
//   2 only then parse the manifest: target, time window, keyring version, replay mark
//   3 sha256 of the script (and of hfc.json) equal the manifest's
import { createHash } from "node:crypto";
import type { Code } from "../codes.js";
import { PlumbError } from "../errors.js";
import { fingerprint } from "../signing/public-key.js";
import { dearmorSshsig, parseSshsigBlob, verifySshsig } from "../signing/sshsig.js";
import {
  type Keyring,
  keyText,
  namespaceFor,
  parseKeyring,
  type Role,
  roleKeys,
} from "./keyring.js";
import { type ContractManifest, parseManifest } from "./manifest.js";
import { parseIsoZ } from "./time.js";

export interface SignatureFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface SignatureCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly fingerprint?: string;
  readonly principal?: string;
  readonly code?: Code;
  readonly reason?: string;
}

export interface ThresholdResult {
  readonly role: Role;
  readonly threshold: number;
  /** Distinct keys whose signatures verified. */
  readonly signers: readonly { readonly fingerprint: string; readonly principal: string }[];
  readonly checks: readonly SignatureCheck[];
}

export function verifyThreshold(
  message: Uint8Array,
  namespace: string,
  signatures: readonly SignatureFile[],
  keyring: Keyring,
  role: Role,
  now: Date,
): ThresholdResult {
  const trusted = new Map(roleKeys(keyring, role).map((k) => [k.fingerprint, k]));
  const revoked = new Set(keyring.revoked);
  const checks: SignatureCheck[] = [];
  const signers = new Map<string, string>();
  for (const sig of signatures) {
    try {
      const embedded = parseSshsigBlob(dearmorSshsig(sig.bytes)).publicKey;
      const fp = fingerprint(embedded);
      if (revoked.has(keyText(embedded)))
        throw new PlumbError("PLB875", `signed by revoked key ${fp}`);
      const entry = trusted.get(fp);
      if (!entry)
        throw new PlumbError(
          "PLB874",
          `signed by ${fp}, which is not a ${role} key of keyring v${keyring.version}`,
        );
      const after = parseIsoZ(entry.entry.valid_after);
      const before = parseIsoZ(entry.entry.valid_before);
      if ((after && now < after) || (before && now > before)) {
        throw new PlumbError(
          "PLB876",
          `key ${fp} (${entry.entry.principal}) is valid ${entry.entry.valid_after ?? "…"} to ${entry.entry.valid_before ?? "…"}`,
        );
      }
      verifySshsig(sig.bytes, message, namespace, entry.key);
      signers.set(fp, entry.entry.principal);
      checks.push({ name: sig.name, ok: true, fingerprint: fp, principal: entry.entry.principal });
    } catch (e) {
      if (!(e instanceof PlumbError)) throw e;
      checks.push({ name: sig.name, ok: false, code: e.code, reason: e.message });
    }
  }
  const threshold = keyring.roles[role].threshold;
  const result: ThresholdResult = {
    role,
    threshold,
    signers: [...signers].map(([fingerprint, principal]) => ({ fingerprint, principal })),
    checks,
  };
  if (signers.size < threshold) {
    const rejected = checks.filter((c) => !c.ok);
    const detail = rejected.map((c) => `${c.name}: ${c.reason}`).join("; ");
    const message = `${signers.size} of ${threshold} required ${role} signature(s) from distinct trusted keys${detail ? ` (rejected: ${detail})` : signatures.length > signers.size ? " (several signatures by the same key count once)" : ""}`;
    // The most specific reason when a signature was refused, the threshold itself otherwise.
    throw Object.assign(
      new PlumbError(rejected[0]?.code ?? "PLB877", message, {
        hint: `${role} needs ${threshold} distinct signer(s); see \`plumb keys list\``,
      }),
      { result },
    );
  }
  return result;
}

/** A keyring from the repo: signed by its own keyring-role threshold, unexpired, and when a
 *  previously trusted version is given, a valid N → N+1 rotation of it. */
export function verifyKeyring(
  bytes: Uint8Array,
  signatures: readonly SignatureFile[],
  now: Date,
  previous?: { keyring: Keyring; bytes: Uint8Array },
): Keyring {
  const keyring = parseKeyring(bytes);
  const expires = parseIsoZ(keyring.expires) as Date;
  if (now > expires)
    throw new PlumbError("PLB872", `keyring v${keyring.version} expired at ${keyring.expires}`, {
      hint: "extend it with `plumb keys expire-in <days>` and re-sign",
    });
  const ns = namespaceFor("keyring", keyring.org);
  try {
    verifyThreshold(bytes, ns, signatures, keyring, "keyring", now);
  } catch (e) {
    if (!(e instanceof PlumbError)) throw e;
    throw new PlumbError("PLB871", `keyring v${keyring.version}: ${e.message}`, {
      hint: "run `plumb keys sign-keyring --key <file>` with enough keyring approvers",
    });
  }
  if (previous && !Buffer.from(previous.bytes).equals(Buffer.from(bytes))) {
    const old = previous.keyring;
    if (keyring.version !== old.version + 1)
      throw new PlumbError(
        "PLB873",
        `keyring v${keyring.version} does not follow the trusted v${old.version} (versions must go up by exactly 1)`,
      );
    if (keyring.org !== old.org)
      throw new PlumbError("PLB873", `keyring org changed from '${old.org}' to '${keyring.org}'`);
    const stillRevoked = old.revoked.filter((r) => !keyring.revoked.includes(r));
    if (stillRevoked.length)
      throw new PlumbError(
        "PLB873",
        `keyring v${keyring.version} un-revokes ${stillRevoked.length} key(s); revocation is permanent`,
      );
    try {
      verifyThreshold(bytes, ns, signatures, old, "keyring", now);
    } catch (e) {
      if (!(e instanceof PlumbError)) throw e;
      throw new PlumbError(
        "PLB873",
        `keyring v${keyring.version} is not signed by the keyring role of v${old.version}: ${e.message}`,
      );
    }
  }
  return keyring;
}

export interface Bundle {
  readonly script: Uint8Array;
  readonly hfc: Uint8Array;
  readonly manifest: Uint8Array;
  readonly signatures: readonly SignatureFile[];
}

export interface HighWater {
  readonly keyring_version: number;
  readonly seq: number;
}

export interface VerifyOptions {
  readonly now: Date;
  /** This host's target name; when set, the manifest must name it. */
  readonly target?: string;
  /** The target's replay mark; `null` = state missing or corrupt (refused). */
  readonly highWater?: HighWater | null;
}

export interface VerifiedContract {
  readonly manifest: ContractManifest;
  readonly signatures: ThresholdResult;
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

export function verifyContract(
  bundle: Bundle,
  keyring: Keyring,
  options: VerifyOptions,
): VerifiedContract {
  if (bundle.signatures.length === 0)
    throw new PlumbError("PLB877", "the bundle has no signatures", {
      hint: "sign it with `plumb contract sign`",
    });
  const signatures = verifyThreshold(
    bundle.manifest,
    namespaceFor("contract-manifest", keyring.org),
    bundle.signatures,
    keyring,
    "contract",
    options.now,
  );
  const m = parseManifest(bundle.manifest);
  if (options.target !== undefined && m.target !== options.target) {
    throw new PlumbError("PLB879", `the contract is for '${m.target}', not '${options.target}'`);
  }
  const nb = parseIsoZ(m.not_before) as Date;
  const ex = parseIsoZ(m.expires) as Date;
  if (options.now < nb || options.now > ex)
    throw new PlumbError("PLB880", `the manifest is valid from ${m.not_before} to ${m.expires}`);
  if (m.keyring_version !== keyring.version)
    throw new PlumbError(
      "PLB881",
      `signed under keyring v${m.keyring_version}; the trusted keyring is v${keyring.version}`,
    );
  if (options.highWater === null)
    throw new PlumbError("PLB884", "the replay state is missing or corrupt; refusing to run");
  const hw = options.highWater;
  if (
    hw &&
    (m.keyring_version < hw.keyring_version ||
      (m.keyring_version === hw.keyring_version && m.seq <= hw.seq))
  ) {
    throw new PlumbError(
      "PLB883",
      `sequence ${m.seq} (keyring v${m.keyring_version}) is not above the high-water mark ${hw.seq} (v${hw.keyring_version})`,
    );
  }
  if (sha256(bundle.script) !== m.subject.sha256)
    throw new PlumbError("PLB882", "sha256 of contract.sh differs from the signed manifest");
  if (sha256(bundle.hfc) !== m.hfc_sha256)
    throw new PlumbError("PLB882", "sha256 of hfc.json differs from the signed manifest");
  return { manifest: m, signatures };
}
