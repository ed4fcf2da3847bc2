// A contract bundle made in memory at apply: forged exactly as `plumb contract forge` does
// (target = the machine), its manifest derived as `plumb contract sign` derives it, signed by
// every apply signing key. Nothing is written to the repository: the bundle (with any secret
// value resolved into contract.sh) exists only in memory and on the target.
import { createHash } from "node:crypto";
import { applySigners } from "../../core/consent/signers.js";
import { PlumbError } from "../../core/errors.js";
import { signatureName } from "../../core/io/trust-store.js";
import { fingerprint } from "../../core/signing/public-key.js";
import type { Signer } from "../../core/signing/signer.js";
import { signSshsig } from "../../core/signing/sshsig.js";
import { type Keyring, namespaceFor } from "../../core/trust/keyring.js";
import { buildManifest, type ContractManifest } from "../../core/trust/manifest.js";
import { isoZ } from "../../core/trust/time.js";
import { forge, type Hfc, hfcJson, type TemplateSource } from "../../generators/contract/hfc.js";
import { bomProofLine, proofLine } from "../../generators/contract/step-emitters.js";

const sha256 = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");
const enc = new TextEncoder();

/** How long a delivered contract stays valid: it is sent right after signing. */
export const BUNDLE_LIFETIME_MS = 3_600_000;
/** Tolerated clock skew of a target behind this machine. */
export const CLOCK_SKEW_MS = 300_000;

export interface BundleFile {
  /** Relative to the bundle directory: contract.sh, hfc.json, manifest.json, signatures/<x>.sig. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface SignedBundle {
  readonly id: string;
  readonly seq: number;
  readonly manifest: ContractManifest;
  readonly hfc: Hfc;
  readonly files: readonly BundleFile[];
  /** The proof steps in order, as the contract's log names them. */
  readonly proofs: readonly { readonly step: number; readonly proof: string }[];
}

export interface BundleInput {
  readonly template: TemplateSource;
  readonly machine: string;
  readonly inputs: Record<string, unknown>;
  readonly gitCommit: string | null;
  readonly keyring: Keyring;
  readonly signers: readonly Signer[];
  readonly seq: number;
  readonly now: Date;
}

export async function signedBundle(input: BundleInput): Promise<SignedBundle> {
  const forged = forge(input.template, {
    target: input.machine,
    inputs: input.inputs,
    gitCommit: input.gitCommit,
    createdAt: isoZ(input.now),
  });
  const hfcText = hfcJson(forged.hfc);
  const manifest: ContractManifest = {
    type: "plumb-contract-manifest",
    schema: 1,
    contract: forged.hfc.header.id,
    template: forged.hfc.header.template,
    target: input.machine,
    seq: input.seq,
    keyring_version: input.keyring.version,
    not_before: isoZ(new Date(input.now.getTime() - CLOCK_SKEW_MS)),
    expires: isoZ(new Date(input.now.getTime() + BUNDLE_LIFETIME_MS)),
    subject: { name: "contract.sh", sha256: sha256(forged.script) },
    hfc_sha256: sha256(hfcText),
    git_commit: forged.hfc.header.git_commit,
  };
  const manifestBytes = buildManifest(manifest);
  const namespace = namespaceFor("contract-manifest", input.keyring.org);
  const signatures: BundleFile[] = [];
  for (const signer of input.signers) {
    const armored = await signSshsig(manifestBytes, namespace, signer);
    signatures.push({
      name: `signatures/${signatureName(fingerprint(signer.publicKey))}`,
      bytes: enc.encode(armored),
    });
  }
  const h = forged.hfc;
  // Step numbers as compile-bash.ts assigns them: gates, bom, operations, bom proofs, proofs.
  let step = h.gates.length + h.bom.length + h.operations.length;
  const proofs = [
    ...h.bom.map((b) => ({ step: ++step, proof: bomProofLine(b)[1] })),
    ...h.proofs.map((p) => ({ step: ++step, proof: proofLine(p, h.bom)[1] })),
  ];
  return {
    id: h.header.id,
    seq: input.seq,
    manifest,
    hfc: h,
    proofs,
    files: [
      { name: "contract.sh", bytes: enc.encode(forged.script) },
      { name: "hfc.json", bytes: enc.encode(hfcText) },
      { name: "manifest.json", bytes: manifestBytes },
      ...signatures,
    ],
  };
}

/**
 * The apply's signing keys must all be current contract keys of the keyring (a signature by any
 * other key makes every target refuse the bundle) and reach its contract threshold as distinct
 * keys; checked before anything is delivered (PLB781 names the keys or how many more are needed).
 */
export function assertSignersReachThreshold(
  keyring: Keyring,
  signers: readonly Signer[],
  now: Date = new Date(),
): void {
  const s = applySigners(
    keyring,
    signers.map((x) => x.publicKey),
    now,
  );
  if (s.rejected.length > 0)
    throw new PlumbError(
      "PLB781",
      `not a current contract key of keyring v${keyring.version}: ${s.rejected.join(", ")} (its signature would make every target refuse the contract)`,
      { hint: "sign with current contract keys only (`plumb keys list` shows the roles)" },
    );
  const have = s.contractSigners.length;
  if (have >= s.threshold) return;
  const more = s.threshold - have;
  throw new PlumbError(
    "PLB781",
    `${have} of ${s.threshold} distinct contract signing key(s) given: ${more} more needed to deliver contracts`,
    {
      hint:
        signers.length === 0
          ? "pass --sign-key <private key file> (repeatable) or set `signing: {keys: [...]}` in .plumb/site.yml"
          : `add ${more} more key(s) with --sign-key, each a contract key of the keyring (plumb keys trust <pub> --role contract)`,
    },
  );
}
