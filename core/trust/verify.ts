// The verification policy, in one place (the target-side Bash verifier mirrors it). Fail closed:
// every check either passes or throws a PlumbError whose code names the check.
//   1 signatures over the exact bytes: strict SSHSIG, namespace, key in role, not revoked,
//     inside its validity window; threshold counted over distinct public keys
//   2 only then parse the manifest: target, time window, keyring version, replay mark
//   3 sha256 of the script (and of hfc.json) equal the manifest's
import { createHash } from "node:crypto";
import { PlumbError } from "../errors.js";
import { type Keyring, namespaceFor, parseKeyring } from "./keyring.js";
import { type ContractManifest, parseManifest } from "./manifest.js";
import {
  countThreshold,
  type SignatureFile,
  type ThresholdResult,
  verifyAll,
  verifyThreshold,
} from "./signature-set.js";
import { parseIsoZ } from "./time.js";

export type { SignatureCheck, SignatureFile, ThresholdResult } from "./signature-set.js";
export { verifyThreshold } from "./signature-set.js";

/** One keyring version: signed by its own keyring-role threshold (every signature file valid
 *  under its own or, when given, the previous version's keyring role), unexpired unless
 *  `allowExpired` (intermediate chain links), and when the previous version is given, a valid
 *  N → N+1 rotation of it. */
export function verifyKeyring(
  bytes: Uint8Array,
  signatures: readonly SignatureFile[],
  now: Date,
  previous?: { keyring: Keyring; bytes: Uint8Array },
  allowExpired = false,
): Keyring {
  const keyring = parseKeyring(bytes);
  const expires = parseIsoZ(keyring.expires) as Date;
  if (!allowExpired && now > expires)
    throw new PlumbError("PLB872", `keyring v${keyring.version} expired at ${keyring.expires}`, {
      hint: "extend it with `plumb keys expire-in <days>` and re-sign",
    });
  const ns = namespaceFor("keyring", keyring.org);
  const sources = [
    { keyring, role: "keyring" as const },
    ...(previous ? [{ keyring: previous.keyring, role: "keyring" as const }] : []),
  ];
  let checks: ReturnType<typeof verifyAll>;
  try {
    checks = verifyAll(bytes, ns, signatures, sources, now);
    countThreshold(checks, keyring, "keyring");
  } catch (e) {
    if (!(e instanceof PlumbError)) throw e;
    throw new PlumbError("PLB871", `keyring v${keyring.version}: ${e.message}`, {
      hint: "run `plumb keys sign-keyring --key <file>` with enough keyring approvers",
    });
  }
  if (previous) {
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
      countThreshold(checks, old, "keyring");
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
