// Approvals of a plan: SSHSIG signatures over the plan digest by approver-role keys, counted
// over distinct keys (revoked keys, keys without the role and signatures over another digest do
// not count), against what the policy requires for the plan's risks. Pure; used by apply, the
// reconcile job (freeze override) and the catalog (HIGH-risk actions).
import type { Code } from "../codes.js";
import { PlumbError } from "../errors.js";
import { fingerprint, parsePublicKey } from "../signing/public-key.js";
import type { Signer } from "../signing/signer.js";
import { dearmorSshsig, parseSshsigBlob, signSshsig, verifySshsig } from "../signing/sshsig.js";
import { type Keyring, keyText, namespaceFor } from "../trust/keyring.js";
import { parseIsoZ } from "../trust/time.js";
import type { ApprovalPolicy, Requirement } from "./policy.js";
import { type ContractRiskInput, contractRiskItems, type PlanRisk, type RiskKind } from "./risk.js";

export const APPROVER_ROLE = "approver";

/** One approval as stored in the plan file (outside the digest it signs). */
export interface PlanApproval {
  readonly fingerprint: string;
  readonly principal: string;
  /** Armored SSHSIG over the UTF-8 bytes of the plan digest (`sha256:…`). */
  readonly signature: string;
}

/** An approver counted from outside the keyring (e.g. `github:alice`, from a PR review). */
export interface ExtraApprover {
  readonly id: string;
  /** Where it was checked (`github review 123`). */
  readonly via: string;
}

/** The namespace trust's approval helpers use too (`plumb-plan-approval-v1@<org>`). */
export const approvalNamespace = (org: string) => namespaceFor("plan-approval", org);
const digestBytes = (digest: string) => new TextEncoder().encode(digest);

export interface Requirements {
  /** The largest requirement among the plan's risks: distinct approvers needed. */
  readonly required: number;
  readonly reasons: readonly {
    readonly risk: Requirement;
    readonly needs: number;
    readonly ids: readonly string[];
  }[];
  /** Host access at a forbidden trust level: no number of approvals allows these. */
  readonly forbidden: readonly { readonly id: string; readonly trustLevel: string }[];
}

/** What the policy asks of a plan with these risks (and `actionable` changes in all). */
export function requiredApprovals(
  plan: {
    readonly risk?: PlanRisk | undefined;
    readonly summary?: { readonly actionable: number };
    readonly contracts?: readonly ContractRiskInput[];
  },
  policy: ApprovalPolicy,
  extraRisks: readonly { readonly id: string; readonly risks: readonly RiskKind[] }[] = [],
): Requirements {
  // High-risk contract runs count from the sealed plan.contracts too (deduplicated by id).
  const known = new Set((plan.risk?.items ?? []).map((i) => `${i.id} ${i.risks.join(",")}`));
  const contractItems = contractRiskItems(plan.contracts).filter(
    (i) => !known.has(`${i.id} ${i.risks.join(",")}`),
  );
  const items = [...(plan.risk?.items ?? []), ...contractItems, ...extraRisks];
  const reasons: { risk: Requirement; needs: number; ids: string[] }[] = [];
  const anyNeeds = policy.required.any ?? 0;
  if (anyNeeds > 0 && (plan.summary?.actionable ?? items.length) > 0)
    reasons.push({ risk: "any", needs: anyNeeds, ids: [] });
  const byRisk = new Map<RiskKind, string[]>();
  for (const i of items) for (const r of i.risks) byRisk.set(r, [...(byRisk.get(r) ?? []), i.id]);
  for (const [risk, ids] of byRisk) {
    // A high-risk contract always needs at least one approval (issue 12: fail closed).
    const needs =
      risk === "high-risk-contract"
        ? Math.max(1, policy.required[risk] ?? 1)
        : (policy.required[risk] ?? 0);
    if (needs > 0) reasons.push({ risk, needs, ids });
  }
  const forbidden = (plan.risk?.items ?? [])
    .filter((i) => i.risks.includes("host-access") && i.trustLevel !== undefined)
    .filter((i) => policy.forbidHostAccess.includes(i.trustLevel as string))
    .map((i) => ({ id: i.id, trustLevel: i.trustLevel as string }));
  return { required: Math.max(0, ...reasons.map((r) => r.needs)), reasons, forbidden };
}

export interface Counted {
  /** Distinct approvers that count: keys by fingerprint, extra ones by id. */
  readonly approvers: readonly {
    readonly id: string;
    readonly principal: string;
    readonly via: string;
  }[];
  readonly rejected: readonly {
    readonly fingerprint: string;
    readonly code: Code;
    readonly reason: string;
  }[];
}

/** The approver-role keys of a keyring (none when the keyring has no such role). */
export function approverKeys(keyring: Keyring) {
  const role = (keyring.roles as Partial<Record<string, { keys: readonly string[] }>>)[
    APPROVER_ROLE
  ];
  const revoked = new Set(keyring.revoked);
  return (role?.keys ?? [])
    .map((fp) => ({ fingerprint: fp, entry: keyring.keys[fp] }))
    .filter(
      (x): x is { fingerprint: string; entry: NonNullable<typeof x.entry> } =>
        x.entry !== undefined,
    )
    .map((x) => ({ ...x, key: parsePublicKey(x.entry.public_key) }))
    .filter((x) => !revoked.has(keyText(x.key)));
}

/** Counts the approvals that hold for `digest` now; each refused one says why. */
export function countApprovals(input: {
  readonly digest: string;
  readonly approvals: readonly PlanApproval[];
  readonly keyring: Keyring | undefined;
  readonly now: Date;
  readonly extra?: readonly ExtraApprover[];
}): Counted {
  const approvers = new Map<string, { id: string; principal: string; via: string }>();
  const rejected: { fingerprint: string; code: Code; reason: string }[] = [];
  const keys = input.keyring ? approverKeys(input.keyring) : [];
  const trusted = new Map(keys.map((k) => [k.fingerprint, k]));
  const revoked = new Set(input.keyring?.revoked ?? []);
  for (const a of input.approvals) {
    const label = typeof a?.fingerprint === "string" ? a.fingerprint : "?";
    try {
      if (!input.keyring)
        throw new PlumbError("PLB924", "no verified keyring to check approvals against");
      if (typeof a?.signature !== "string")
        throw new PlumbError("PLB924", "approval without a signature");
      const embedded = parseSshsigBlob(dearmorSshsig(a.signature)).publicKey;
      const fp = fingerprint(embedded);
      if (revoked.has(keyText(embedded)))
        throw new PlumbError("PLB924", `signed by revoked key ${fp}`);
      const k = trusted.get(fp);
      if (!k)
        throw new PlumbError(
          "PLB924",
          `${fp} is not an approver key of keyring v${input.keyring.version}`,
        );
      const after = parseIsoZ(k.entry.valid_after);
      const before = parseIsoZ(k.entry.valid_before);
      if ((after && input.now < after) || (before && input.now > before))
        throw new PlumbError(
          "PLB924",
          `key ${fp} (${k.entry.principal}) is outside its validity window`,
        );
      verifySshsig(
        a.signature,
        digestBytes(input.digest),
        approvalNamespace(input.keyring.org),
        k.key,
      );
      approvers.set(fp, { id: fp, principal: k.entry.principal, via: "signature" });
    } catch (e) {
      if (!(e instanceof PlumbError)) throw e;
      rejected.push({ fingerprint: label, code: e.code, reason: e.message });
    }
  }
  for (const x of input.extra ?? []) {
    if (!approvers.has(x.id)) approvers.set(x.id, { id: x.id, principal: x.id, via: x.via });
  }
  return { approvers: [...approvers.values()], rejected };
}

/** Signs `digest` as an approval; refuses a key that could not count. */
export async function signApproval(
  digest: string,
  keyring: Keyring,
  signer: Signer,
  now: Date,
): Promise<PlanApproval> {
  const fp = fingerprint(signer.publicKey);
  const k = approverKeys(keyring).find((x) => x.fingerprint === fp);
  const after = parseIsoZ(k?.entry.valid_after);
  const before = parseIsoZ(k?.entry.valid_before);
  if (!k || (after && now < after) || (before && now > before)) {
    throw new PlumbError(
      "PLB923",
      `${fp} is not a current approver key of keyring v${keyring.version}`,
      {
        hint: `approvers: ${
          approverKeys(keyring)
            .map((x) => x.entry.principal)
            .join(", ") || "none (add the approver role to the keyring)"
        }`,
      },
    );
  }
  const signature = await signSshsig(digestBytes(digest), approvalNamespace(keyring.org), signer);
  return { fingerprint: fp, principal: k.entry.principal, signature };
}

/** Refuses (PLB921, PLB920) unless the plan has what the policy requires; says who may approve. */
export function assertApproved(
  req: Requirements,
  counted: Counted,
  keyring: Keyring | undefined,
): void {
  if (req.forbidden.length > 0) {
    const f = req.forbidden.map((x) => `${x.id} (${x.trustLevel})`).join(", ");
    throw new PlumbError("PLB921", `host access is forbidden at these trust levels: ${f}`, {
      hint: "remove the host-access settings (see the plan's host-access marks) or change approvals.forbid_host_access",
    });
  }
  const have = counted.approvers.length;
  if (have >= req.required) return;
  const why = req.reasons
    .filter((r) => r.needs > have)
    .map((r) => `${r.risk} needs ${r.needs}`)
    .join(", ");
  const done = new Set(counted.approvers.map((a) => a.id));
  const who = keyring
    ? approverKeys(keyring)
        .filter((k) => !done.has(k.fingerprint))
        .map((k) => `${k.entry.principal} (${k.fingerprint})`)
    : [];
  const ignored = counted.rejected.length
    ? `; ${counted.rejected.length} approval(s) ignored: ${counted.rejected.map((r) => r.reason).join("; ")}`
    : "";
  throw new PlumbError(
    "PLB920",
    `the plan has ${have} of ${req.required} required approval(s) (${why}); ${req.required - have} more needed${ignored}`,
    {
      hint: `who may approve: ${who.join(", ") || "no approver key in the keyring"} — \`plumb approve plan.json --key <file>\``,
    },
  );
}
