// The signed catalog lock and contract consent (issue 12): PLB836–PLB838, PLB869, PLB970–PLB979.
import type { CodeInfo } from "./code-info.js";

export const CONSENT_CODES = {
  PLB836: {
    title: "templates.lock is not signed",
    help: "The catalog (templates and actions) is trusted only through templates.lock signed by the keyring's contract threshold: templates.lock.sig.d/<fingerprint>.sig, SSHSIG over the exact lock bytes in the namespace `plumb-templates-lock-v1@<org>`. Forging, `plumb contract test` and delivery refuse an unsigned lock (the catalog loads nothing); `plumb validate` and `plumb templates check` only warn. Review the lock, then run `plumb templates sign --key <file>` (or `--agent`) with enough contract keys.",
  },
  PLB837: {
    title: "templates.lock signature does not verify",
    help: "Every file under templates.lock.sig.d/ must be byte-exact and verify over the current templates.lock bytes under a contract key of the verified keyring that is not revoked and inside its validity window. A lock changed after signing (tampered, or re-locked without re-signing), a signature by a key without the contract role, or by a revoked key is refused everywhere, validate included. Remove the stale signature files and sign again: `plumb templates sign --key <file>`.",
  },
  PLB838: {
    title: "templates.lock below the contract threshold",
    help: "The lock's valid signatures come from fewer distinct contract keys than `roles.contract.threshold` of the keyring (several signatures by one key count once). Forging and delivery refuse it; validate warns. More contract key holders run `plumb templates sign --key <file>`.",
  },
  PLB869: {
    title: "templates.lock cannot be checked",
    help: "Forging and delivery need templates.lock and a verified keyring (keys/keyring.json and its chain) to check the lock's signatures; without one the catalog loads nothing (fail closed). Create the keyring (`plumb keys init`, `plumb keys sign-keyring`), run `plumb templates lock`, then `plumb templates sign`.",
  },
  PLB970: {
    title: "key may not sign templates.lock",
    help: "`plumb templates sign` signs only with a current (listed, not revoked, inside its validity window) contract key of the verified keyring, and only a lock that passes the gatekeeper's hash check. Trust the key first: `plumb keys trust <pub> --principal <name> --role contract`, then re-sign the keyring.",
  },
  PLB971: {
    title: "contract needs a role the signing keys lack",
    help: "A contract's catalog actions each require a role (operator, support, admin, approver); at apply the keys that sign the contract must hold every required role in the keyring (`plumb keys trust <pub> --role <role>`). The run is refused, audited (`contract.denied`) and recorded FAILED.",
  },
  PLB972: {
    title: "contract needs confirmation",
    help: "A contract with a CONFIRM action runs only after apply's confirmation prompt lists it and is answered, or with `--yes`. Without a terminal and without `--yes` the run is refused, audited (`contract.denied`) and recorded FAILED.",
  },
  PLB973: {
    title: "high-risk contract without approvals",
    help: "A contract with an ELEVATED_CONFIRM action or HIGH risk needs the plan's approvals threshold for high-risk contracts (`approvals.required.high_risk_contract` in infra/policies.yml, at least 1): distinct approver signatures over the plan digest (`plumb approve plan.json --key <file>`). `--yes` does not replace approvals. The run is refused, audited (`contract.denied`) and recorded FAILED.",
  },
} as const satisfies Record<string, CodeInfo>;
