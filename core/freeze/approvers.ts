// Who approved a saved plan, for a freeze override: the plan file's `approvals` (each an armored
// SSHSIG over the plan digest, as `plumb approve` adds them outside the digest) verified against
// the repository keyring (verified as a chain) in the plan-approval namespace; distinct keys
// holding the approver role count. A missing keyring or unreadable approvals count as none.
import { loadVerifiedKeyring } from "../io/keyring-state.js";
import { namespaceFor, roleKeys } from "../trust/keyring.js";
import { verifyAll } from "../trust/signature-set.js";

export function planApprovers(
  root: string,
  env: NodeJS.ProcessEnv,
  planText: string | undefined,
  digest: string,
  now: Date = new Date(),
  loadKeyring = () => loadVerifiedKeyring(root, env, { now }).keyring,
): string[] {
  if (planText === undefined) return [];
  let approvals: unknown;
  try {
    approvals = (JSON.parse(planText) as { approvals?: unknown }).approvals;
  } catch {
    return [];
  }
  if (!Array.isArray(approvals) || approvals.length === 0) return [];
  const sigs = approvals
    .map((a, i) => ({
      name: `approval ${i + 1}`,
      signature: (a as { signature?: unknown })?.signature,
    }))
    .filter((a): a is { name: string; signature: string } => typeof a.signature === "string")
    .map((a) => ({ name: a.name, bytes: new TextEncoder().encode(a.signature) }));
  let keyring: ReturnType<typeof loadKeyring>;
  try {
    keyring = loadKeyring();
  } catch {
    return [];
  }
  const approvers = new Set(roleKeys(keyring, "approver").map((k) => k.fingerprint));
  const counted = new Set<string>();
  for (const sig of sigs) {
    // One at a time: verifyAll refuses a whole set for one bad signature; here a bad one just
    // does not count.
    try {
      for (const c of verifyAll(
        new TextEncoder().encode(digest),
        namespaceFor("plan-approval", keyring.org),
        [sig],
        [{ keyring, role: "approver" }],
        now,
      ))
        if (c.ok && c.fingerprint && approvers.has(c.fingerprint)) counted.add(c.fingerprint);
    } catch {
      // not a valid approval of this digest by a trusted approver key
    }
  }
  return [...counted];
}
