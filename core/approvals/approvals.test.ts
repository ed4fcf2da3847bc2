// Approvals: counted over distinct approver keys; a revoked key, a key without the approver
// role, a signature over another digest or in another namespace does not count; the policy's
// largest requirement among the plan's risks is what is needed.
import { describe, expect, it } from "vitest";
import type { PlumbError } from "../errors.js";
import { generateEd25519Key, type OpensshPrivateKey } from "../signing/openssh-private-key.js";
import { fingerprint } from "../signing/public-key.js";
import { keySigner } from "../signing/signer.js";
import { signSshsig } from "../signing/sshsig.js";
import { type Keyring, keyText } from "../trust/keyring.js";
import {
  approvalNamespace,
  assertApproved,
  countApprovals,
  type PlanApproval,
  requiredApprovals,
  signApproval,
} from "./approvals.js";
import { EMPTY_POLICY } from "./policy.js";
import type { PlanRisk } from "./risk.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const [alice, bob, carol, mallory] = ["alice", "bob", "carol", "mallory"].map((n) =>
  generateEd25519Key(n),
) as [OpensshPrivateKey, OpensshPrivateKey, OpensshPrivateKey, OpensshPrivateKey];
const fp = (k: OpensshPrivateKey) => fingerprint(k.publicKey);
const entry = (k: OpensshPrivateKey, principal: string) => ({
  principal,
  public_key: keyText(k.publicKey),
});

/** alice, bob: approvers; carol: contract only; mallory's key revoked. */
function keyring(): Keyring {
  return {
    type: "plumb-keyring",
    schema: 1,
    org: "acme",
    version: 3,
    expires: "2030-01-01T00:00:00Z",
    keys: {
      [fp(alice)]: entry(alice, "alice"),
      [fp(bob)]: entry(bob, "bob"),
      [fp(carol)]: entry(carol, "carol"),
    },
    roles: {
      keyring: { keys: [fp(alice)], threshold: 1 },
      contract: { keys: [fp(carol)], threshold: 1 },
      approver: { keys: [fp(alice), fp(bob)], threshold: 1 },
    } as unknown as Keyring["roles"],
    revoked: [keyText(mallory.publicKey)],
  };
}

const DIGEST = "sha256:aaaa";
const forge = async (k: OpensshPrivateKey, digest = DIGEST, ns = approvalNamespace("acme")) => ({
  fingerprint: fp(k),
  principal: "x",
  signature: await signSshsig(new TextEncoder().encode(digest), ns, keySigner(k)),
});

describe("countApprovals", () => {
  it("counts distinct approver keys once each", async () => {
    const kr = keyring();
    const a = await signApproval(DIGEST, kr, keySigner(alice), NOW);
    const b = await signApproval(DIGEST, kr, keySigner(bob), NOW);
    const c = countApprovals({ digest: DIGEST, approvals: [a, a, b], keyring: kr, now: NOW });
    expect(c.approvers.map((x) => x.principal).sort()).toEqual(["alice", "bob"]);
    expect(c.rejected).toEqual([]);
  });

  it("does not count a key without the approver role, a revoked key, another digest or namespace", async () => {
    const kr = keyring();
    const approvals: PlanApproval[] = [
      await forge(carol),
      await forge(mallory),
      await forge(alice, "sha256:bbbb"),
      await forge(bob, DIGEST, "plumb-contract-manifest-v1@acme"),
      { fingerprint: "x", principal: "x", signature: "garbage" },
    ];
    const c = countApprovals({ digest: DIGEST, approvals, keyring: kr, now: NOW });
    expect(c.approvers).toEqual([]);
    expect(c.rejected).toHaveLength(5);
    // Role and revocation are PLB924; bad signatures keep the signature check's own code.
    expect(c.rejected.slice(0, 2).map((r) => r.code)).toEqual(["PLB924", "PLB924"]);
    expect(c.rejected[1]?.reason).toMatch(/revoked/);
  });

  it("does not count a key outside its validity window", async () => {
    const kr = keyring();
    const limited = {
      ...kr,
      keys: {
        ...kr.keys,
        [fp(bob)]: { ...entry(bob, "bob"), valid_before: "2026-01-01T00:00:00Z" },
      },
    };
    const c = countApprovals({
      digest: DIGEST,
      approvals: [await forge(bob)],
      keyring: limited,
      now: NOW,
    });
    expect(c.approvers).toEqual([]);
  });

  it("counts extra identities (PR reviews) once, beside keys", async () => {
    const kr = keyring();
    const c = countApprovals({
      digest: DIGEST,
      approvals: [await forge(alice)],
      keyring: kr,
      now: NOW,
      extra: [
        { id: "github:dave", via: "review 1" },
        { id: "github:dave", via: "review 2" },
      ],
    });
    expect(c.approvers.map((a) => a.id)).toEqual([fp(alice), "github:dave"]);
  });

  it("a keyring without an approver role counts nothing", async () => {
    const kr = keyring();
    const roles = { ...(kr.roles as object) } as Record<string, unknown>;
    delete roles.approver;
    const c = countApprovals({
      digest: DIGEST,
      approvals: [await forge(alice)],
      keyring: { ...kr, roles: roles as unknown as Keyring["roles"] },
      now: NOW,
    });
    expect(c.approvers).toEqual([]);
  });

  it("signApproval refuses a key that could not count", async () => {
    await expect(signApproval(DIGEST, keyring(), keySigner(carol), NOW)).rejects.toMatchObject({
      code: "PLB923",
    });
  });
});

describe("requiredApprovals", () => {
  const risk: PlanRisk = {
    items: [
      { id: "instance:web/a", risks: ["delete", "delete-protected"], trustLevel: "trusted" },
      {
        id: "instance:lab/b",
        risks: ["host-access"],
        hostAccess: [{ path: "config.raw.lxc", why: "raw" }],
        trustLevel: "untrusted",
      },
    ],
  };
  const plan = { risk, summary: { actionable: 3 } };

  it("takes the largest requirement among the plan's risks", () => {
    const r = requiredApprovals(plan, {
      ...EMPTY_POLICY,
      required: { delete: 1, "delete-protected": 2, "host-access": 3, replace: 9 },
    });
    expect(r.required).toBe(3);
    expect(r.reasons.map((x) => x.risk).sort()).toEqual([
      "delete",
      "delete-protected",
      "host-access",
    ]);
    expect(r.forbidden).toEqual([]);
  });

  it("needs nothing without a policy, and 'any' applies to every non-empty plan", () => {
    expect(requiredApprovals(plan, EMPTY_POLICY).required).toBe(0);
    const empty = { risk: { items: [] }, summary: { actionable: 0 } };
    const any = { ...EMPTY_POLICY, required: { any: 1 } };
    expect(requiredApprovals(empty, any).required).toBe(0);
    expect(
      requiredApprovals({ risk: { items: [] }, summary: { actionable: 1 } }, any).required,
    ).toBe(1);
  });

  it("extra risks (high-risk contracts) count too", () => {
    const r = requiredApprovals(
      { risk: { items: [] }, summary: { actionable: 1 } },
      { ...EMPTY_POLICY, required: { "high-risk-contract": 2 } },
      [{ id: "contract:web-1/motd", risks: ["high-risk-contract"] }],
    );
    expect(r.required).toBe(2);
  });

  it("forbids host access at listed trust levels, whatever the approvals", async () => {
    const policy = { ...EMPTY_POLICY, forbidHostAccess: ["untrusted"] };
    const r = requiredApprovals(plan, policy);
    expect(r.forbidden).toEqual([{ id: "instance:lab/b", trustLevel: "untrusted" }]);
    const counted = countApprovals({ digest: DIGEST, approvals: [], keyring: keyring(), now: NOW });
    expect(() => assertApproved(r, counted, keyring())).toThrow(
      expect.objectContaining({ code: "PLB921" }),
    );
  });

  it("assertApproved says who may approve and how many more are needed", async () => {
    const kr = keyring();
    const r = requiredApprovals(plan, { ...EMPTY_POLICY, required: { delete: 2 } });
    const counted = countApprovals({
      digest: DIGEST,
      approvals: [await forge(alice)],
      keyring: kr,
      now: NOW,
    });
    let err: PlumbError | undefined;
    try {
      assertApproved(r, counted, kr);
    } catch (e) {
      err = e as PlumbError;
    }
    expect(err?.code).toBe("PLB920");
    expect(err?.message).toMatch(/1 of 2 .* 1 more needed/);
    expect(err?.hint).toMatch(/bob/);
    expect(err?.hint).not.toMatch(/alice/);
    const both = countApprovals({
      digest: DIGEST,
      approvals: [await forge(alice), await forge(bob)],
      keyring: kr,
      now: NOW,
    });
    expect(() => assertApproved(r, both, kr)).not.toThrow();
  });
});
