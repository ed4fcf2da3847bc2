// The contract manifest: what approvers sign. Canonical JSON bytes binding the script's sha256,
// the target, a sequence number, a validity window and the keyring version. Every string value
// is restricted to a plain character set, so the target-side Bash verifier can read the fields
// of these exact bytes without a JSON library.
import { PlumbError } from "../errors.js";
import { canonicalJsonBytes, parseCanonicalJson } from "../signing/canonical-json.js";
import { parseIsoZ } from "./time.js";

export interface ContractManifest {
  readonly type: "plumb-contract-manifest";
  readonly schema: 1;
  readonly contract: string;
  readonly template: string;
  readonly target: string;
  readonly seq: number;
  readonly keyring_version: number;
  readonly not_before: string;
  readonly expires: string;
  readonly subject: { readonly name: "contract.sh"; readonly sha256: string };
  readonly hfc_sha256: string;
  readonly git_commit: string | null;
}

const SAFE: Record<string, RegExp> = {
  contract: /^c-[0-9a-f]{24}$/,
  template: /^[a-z0-9-]+@\d+\.\d+\.\d+$/,
  target: /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/,
};
const HEX64 = /^[0-9a-f]{64}$/;

/** A contract target: a plain host name (the manifest's grammar; checked at forge time too). */
export const isTargetName = (s: string) => (SAFE.target as RegExp).test(s);

const bad = (message: string) =>
  new PlumbError("PLB878", `manifest: ${message}`, {
    hint: "re-create it with `plumb contract sign`",
  });

function check(m: ContractManifest): ContractManifest {
  if (m === null || typeof m !== "object" || m.type !== "plumb-contract-manifest" || m.schema !== 1)
    throw bad('expected {"type":"plumb-contract-manifest","schema":1,…}');
  for (const [key, re] of Object.entries(SAFE)) {
    const v = (m as unknown as Record<string, unknown>)[key];
    if (typeof v !== "string" || !re.test(v))
      throw bad(`${key} ${JSON.stringify(v)} is not of the expected form`);
  }
  if (!Number.isSafeInteger(m.seq) || m.seq < 1) throw bad("seq must be a positive integer");
  if (!Number.isSafeInteger(m.keyring_version) || m.keyring_version < 1)
    throw bad("keyring_version must be a positive integer");
  const nb = parseIsoZ(m.not_before);
  const ex = parseIsoZ(m.expires);
  if (!nb || !ex)
    throw bad("not_before and expires must be ISO-8601 UTC times like 2027-01-31T00:00:00Z");
  if (ex <= nb) throw bad("expires must be after not_before");
  if (m.subject?.name !== "contract.sh" || !HEX64.test(m.subject.sha256 ?? ""))
    throw bad('subject must be {"name":"contract.sh","sha256":<64 hex>}');
  if (!HEX64.test(m.hfc_sha256 ?? "")) throw bad("hfc_sha256 must be 64 hex digits");
  if (m.git_commit !== null && !/^[0-9a-f]{40,64}$/.test(m.git_commit ?? ""))
    throw bad("git_commit must be a hex commit id or null");
  const keys = Object.keys(m).sort().join(",");
  if (
    keys !==
    "contract,expires,git_commit,hfc_sha256,keyring_version,not_before,schema,seq,subject,target,template,type"
  )
    throw bad(`unexpected keys: ${keys}`);
  return m;
}

export function buildManifest(m: ContractManifest): Uint8Array {
  return canonicalJsonBytes(check(m));
}

/** Parses manifest bytes (call only after their signatures verified: sign bytes, then parse). */
export function parseManifest(bytes: Uint8Array): ContractManifest {
  let v: unknown;
  try {
    v = parseCanonicalJson(bytes);
  } catch (e) {
    throw bad((e as Error).message);
  }
  return check(v as ContractManifest);
}
