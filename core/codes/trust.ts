// Trust chain (keyring history, pins, approvals, byte-exact signatures, target-side verifier
// hardening): PLB842–PLB849 and PLB890–PLB899.
import type { CodeInfo } from "./code-info.js";

export const TRUST_CODES = {
  PLB842: {
    title: "approvals below threshold",
    help: "A plan (or other digest) needs signatures from `roles.approver.threshold` distinct approver keys of the verified keyring, in the approval namespace. Every signature file must verify; a bad one refuses the set.",
  },
  PLB843: {
    title: "keyring chain broken",
    help: "The keyring history (keys/history/<N>/) does not form a chain from the pinned root to keys/keyring.json: each version N+1 must be exactly N+1, keep the org, never un-revoke a key, and be signed by the keyring-role threshold of version N as well as its own. See docs/security.md.",
  },
  PLB844: {
    title: "keyring rollback refused",
    help: "The repository's keyring is older than a version this machine (or the CI pin) already trusts. A keyring never goes backwards: restore keys/ from the newer commit.",
  },
  PLB845: {
    title: "keyring differs from the trusted version",
    help: "The keyring history holds a version whose bytes differ from the version already trusted (pinned by CI or recorded by this machine): the history was rewritten. Restore keys/ from a trusted commit.",
  },
  PLB846: {
    title: "invalid keyring pin",
    help: "PLUMB_KEYRING_PIN (or --keyring-pin) must be `<version>:<sha256 hex of that keyring.json>`, as printed by `plumb keys verify`, and that version must be in the keyring history.",
  },
  PLB847: {
    title: "signature file not byte-exact",
    help: "A signature file must be exactly the armor plumb (and ssh-keygen) writes: header, base64 wrapped at 70 columns, footer, one trailing newline. Any other byte (an extra newline, CRLF, a changed wrap) is refused so that one signature has one file.",
  },
  PLB848: {
    title: "manifest disagrees with the HFC",
    help: "`plumb contract sign` derives manifest.json from hfc.json every time. A manifest already in the bundle that names another contract, template, target or commit (or other options) is refused: delete manifest.json and signatures/ and sign again.",
  },
  PLB849: {
    title: "invalid contract target name",
    help: "A contract target must be a plain host name: letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 253 characters.",
  },
  PLB890: {
    title: "verifier work directory unsafe",
    help: "plumb-verify copies bundles under a root-owned directory (default /var/lib/plumb/run, mode 0700). It refuses when that directory is not owned by the running user or is writable by others.",
  },
  PLB891: {
    title: "keyring signer not in either keyring role",
    help: "A keyring version must be signed by keyring-role keys of the version it replaces and of itself; this key is in neither.",
  },
} as const satisfies Record<string, CodeInfo>;
