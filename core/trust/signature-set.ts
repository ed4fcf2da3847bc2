// Verifying a set of detached signatures over one message, strictly: every signature file must
// be byte-exact (the armor plumb and ssh-keygen write) and verify under a trusted, unrevoked key
// inside its validity window; one bad file refuses the whole set (fail closed, so no byte of a
// bundle can change without a refusal). Thresholds count distinct public keys per role.
import type { Code } from "../codes.js";
import { PlumbError } from "../errors.js";
import { fingerprint } from "../signing/public-key.js";
import { armorSshsig, dearmorSshsig, parseSshsigBlob, verifySshsig } from "../signing/sshsig.js";
import { type Keyring, keyText, type Role, roleKeys, roleSpec } from "./keyring.js";
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

/** A signature file is accepted only in the exact bytes `armorSshsig` writes for its blob. */
export function checkByteExact(sig: SignatureFile): void {
  const canonical = Buffer.from(armorSshsig(dearmorSshsig(sig.bytes)), "utf8");
  if (!canonical.equals(Buffer.from(sig.bytes)))
    throw new PlumbError(
      "PLB847",
      `${sig.name} is not byte-exact (only the armor ssh-keygen writes is accepted)`,
    );
}

interface Candidate {
  readonly fingerprint: string;
  readonly principal: string;
  readonly validAfter: string | undefined;
  readonly validBefore: string | undefined;
  readonly key: ReturnType<typeof roleKeys>[number]["key"];
}

/** Keys that may sign: the given roles of the given keyrings (revoked keys excluded). */
function candidates(sources: readonly { keyring: Keyring; role: Role }[]): Map<string, Candidate> {
  const out = new Map<string, Candidate>();
  for (const { keyring, role } of sources)
    for (const k of roleKeys(keyring, role))
      out.set(k.fingerprint, {
        fingerprint: k.fingerprint,
        principal: k.entry.principal,
        validAfter: k.entry.valid_after,
        validBefore: k.entry.valid_before,
        key: k.key,
      });
  return out;
}

/**
 * Verifies every signature file against the keys of `sources` (roles of keyrings) and returns
 * the verified checks. Throws at the first bad file with its specific code.
 */
export function verifyAll(
  message: Uint8Array,
  namespace: string,
  signatures: readonly SignatureFile[],
  sources: readonly { keyring: Keyring; role: Role }[],
  now: Date,
): SignatureCheck[] {
  const trusted = candidates(sources);
  const revoked = new Set(sources.flatMap((s) => s.keyring.revoked));
  const label = sources.map((s) => `${s.role} key of keyring v${s.keyring.version}`).join(" or ");
  const checks: SignatureCheck[] = [];
  for (const sig of signatures) {
    try {
      checkByteExact(sig);
      const embedded = parseSshsigBlob(dearmorSshsig(sig.bytes)).publicKey;
      const fp = fingerprint(embedded);
      if (revoked.has(keyText(embedded)))
        throw new PlumbError("PLB875", `signed by revoked key ${fp}`);
      const entry = trusted.get(fp);
      if (!entry) throw new PlumbError("PLB874", `signed by ${fp}, which is not a ${label}`);
      const after = parseIsoZ(entry.validAfter);
      const before = parseIsoZ(entry.validBefore);
      if ((after && now < after) || (before && now > before))
        throw new PlumbError(
          "PLB876",
          `key ${fp} (${entry.principal}) is valid ${entry.validAfter ?? "…"} to ${entry.validBefore ?? "…"}`,
        );
      verifySshsig(sig.bytes, message, namespace, entry.key);
      checks.push({ name: sig.name, ok: true, fingerprint: fp, principal: entry.principal });
    } catch (e) {
      if (!(e instanceof PlumbError)) throw e;
      const check = { name: sig.name, ok: false, code: e.code, reason: e.message };
      throw Object.assign(
        new PlumbError(e.code, `${sig.name}: ${e.message}`, {
          hint: "every signature file must verify; remove a stale or foreign one and sign again",
        }),
        { checks: [...checks, check] },
      );
    }
  }
  return checks;
}

/** Counts the distinct verified keys of `role` in `checks` against its threshold. */
export function countThreshold(
  checks: readonly SignatureCheck[],
  keyring: Keyring,
  role: Role,
  code: Code = "PLB877",
): ThresholdResult {
  const inRole = new Set(roleKeys(keyring, role).map((k) => k.fingerprint));
  const signers = new Map<string, string>();
  for (const c of checks)
    if (c.ok && c.fingerprint && inRole.has(c.fingerprint))
      signers.set(c.fingerprint, c.principal ?? "");
  const threshold = roleSpec(keyring, role).threshold;
  const result: ThresholdResult = {
    role,
    threshold,
    signers: [...signers].map(([fingerprint, principal]) => ({ fingerprint, principal })),
    checks,
  };
  if (signers.size < threshold || inRole.size === 0) {
    const dup =
      checks.length > signers.size ? " (several signatures by the same key count once)" : "";
    throw Object.assign(
      new PlumbError(
        code,
        `${signers.size} of ${threshold} required ${role} signature(s) from distinct trusted keys of keyring v${keyring.version}${dup}`,
        { hint: `${role} needs ${threshold} distinct signer(s); see \`plumb keys list\`` },
      ),
      { result },
    );
  }
  return result;
}

/** verifyAll + countThreshold for one role of one keyring. */
export function verifyThreshold(
  message: Uint8Array,
  namespace: string,
  signatures: readonly SignatureFile[],
  keyring: Keyring,
  role: Role,
  now: Date,
): ThresholdResult {
  const checks = verifyAll(message, namespace, signatures, [{ keyring, role }], now);
  return countThreshold(checks, keyring, role);
}
