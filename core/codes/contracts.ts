// Contracts: keys and SSHSIG (PLB80x–PLB84x), templates and forge (PLB85x–PLB86x), trust
// policy (PLB87x–PLB89x).
import type { CodeInfo } from "./code-info.js";

export const CONTRACT_CODES = {
  // PLB8xx — contracts, keys and signatures
  PLB801: {
    title: "invalid public key",
    help: "An OpenSSH public key line could not be read. The expected form is `ssh-ed25519 AAAA… [comment]` on one line, as in a `.pub` file.",
  },
  PLB802: {
    title: "unsupported key type",
    help: "plumbline signs and verifies with Ed25519 keys only. Create one with `plumb keys generate` or `ssh-keygen -t ed25519`.",
  },
  PLB803: {
    title: "invalid private key file",
    help: "The file is not a well-formed unencrypted `-----BEGIN OPENSSH PRIVATE KEY-----` Ed25519 key (openssh-key-v1). Check it with `ssh-keygen -y -f <file>`.",
  },
  PLB804: {
    title: "encrypted private key",
    help: "plumbline does not read passphrases. Load the key into ssh-agent (`ssh-add <file>`) and sign through the agent, so the key stays in the agent or on the hardware token.",
  },
  PLB805: {
    title: "ssh-agent unavailable",
    help: "No usable ssh-agent: `SSH_AUTH_SOCK` is unset or its socket cannot be reached. Start one (`eval $(ssh-agent)`) and `ssh-add` the key.",
  },
  PLB806: {
    title: "key not in ssh-agent",
    help: "The agent does not hold the requested key. Add it with `ssh-add`, or check the fingerprints with `ssh-add -l`.",
  },
  PLB807: {
    title: "ssh-agent refused or failed",
    help: "The agent answered with a failure or a malformed reply (a confirmation was refused, a hardware token was not touched, or the agent is not an OpenSSH-compatible agent).",
  },
  PLB808: {
    title: "malformed SSH data",
    help: "A length-prefixed SSH wire structure was truncated, declared an impossible length or carried trailing bytes.",
  },
  PLB810: {
    title: "signature armor invalid",
    help: "A signature file must start with `-----BEGIN SSH SIGNATURE-----`, hold only base64 lines (LF line endings) and end with `-----END SSH SIGNATURE-----` and at most one newline.",
  },
  PLB811: {
    title: "signature truncated",
    help: "The decoded SSHSIG blob ends before a field is complete. The file was cut or corrupted; sign again.",
  },
  PLB812: {
    title: "trailing data in signature",
    help: "Bytes follow the end of the SSHSIG blob (or of a structure inside it). A valid signature has none; the file was altered.",
  },
  PLB813: {
    title: "not an SSHSIG signature",
    help: "The decoded data does not start with the `SSHSIG` magic, so it is not an OpenSSH signature made by `ssh-keygen -Y sign`.",
  },
  PLB814: {
    title: "unsupported signature version",
    help: "Only SSHSIG version 1 exists; a different version is refused rather than guessed at.",
  },
  PLB815: {
    title: "signature namespace mismatch",
    help: "The signature was made for another purpose (namespace) than the one being verified. A signature is only valid in the namespace it was made for; this stops a signature over one kind of document being replayed as another.",
  },
  PLB816: {
    title: "unsupported hash algorithm",
    help: "SSHSIG signatures hash the message with `sha512` (ssh-keygen's default) or `sha256`, spelled in lowercase. Anything else is refused.",
  },
  PLB817: {
    title: "unsupported signature key type",
    help: "The signature was made by a key, or uses a signature algorithm, other than `ssh-ed25519`. Only Ed25519 signatures are accepted.",
  },
  PLB818: {
    title: "signed by a different key",
    help: "The public key inside the signature is not the key it is being verified against. Check which key signed it with `ssh-keygen -Y check-novalidate -O print-pubkey`.",
  },
  PLB819: {
    title: "signature does not verify",
    help: "The cryptographic check failed: the message differs from what was signed (even by one byte), or the signature bytes were altered.",
  },
  PLB820: {
    title: "malformed signature field",
    help: "A field inside the signature is well framed but has an impossible value (an Ed25519 key or signature of the wrong length, or a signature algorithm that does not match the key).",
  },
  PLB821: {
    title: "invalid namespace",
    help: "A signature namespace must be non-empty and must not contain NUL or line breaks. Use `<purpose>@<your-domain>`, e.g. `contract-manifest-v1@example.org`.",
  },
  PLB822: {
    title: "reserved field not empty",
    help: "The SSHSIG reserved field must be empty. ssh-keygen ignores it, plumbline refuses it so that one signature has exactly one encoding.",
  },
  PLB830: {
    title: "allowed_signers syntax error",
    help: "A line of the allowed_signers file is not `principals [options] ssh-ed25519 AAAA… [comment]` (see ALLOWED SIGNERS in ssh-keygen(1)). The message gives the line number.",
  },
  PLB831: {
    title: "unsupported allowed_signers entry",
    help: "The line uses a feature plumbline does not support: `cert-authority`, a non-Ed25519 key, or a `valid-after`/`valid-before` time without the trailing `Z` (local time is ambiguous). Rewrite the entry with a plain Ed25519 key and UTC times.",
  },
  PLB840: {
    title: "value cannot be canonicalized",
    help: "Canonical JSON (RFC 8785) takes plain JSON data only: no undefined, NaN or Infinity, functions, class instances, lone UTF-16 surrogates or cycles.",
  },
  PLB841: {
    title: "not canonical JSON",
    help: "The bytes are not the RFC 8785 canonical form of the JSON they hold (invalid UTF-8, whitespace, unsorted or duplicate keys, or non-canonical numbers or escapes). Signed manifests must be exactly canonical.",
  },

  // PLB85x–PLB89x — contract templates, gatekeeper, forge
  PLB850: {
    title: "invalid template manifest",
    help: "`templates/<slug>/template.yml` does not match the template schema (see docs/contracts.md). The message names the key.",
  },
  PLB851: {
    title: "template slug mismatch",
    help: "A template's `slug` must equal its folder name under templates/.",
  },
  PLB852: {
    title: "value not representable in a script",
    help: "Bash strings cannot hold NUL bytes, and a lone UTF-16 surrogate has no UTF-8 encoding; plumb refuses such values instead of silently changing them.",
  },
  PLB853: {
    title: "template file missing",
    help: "A `bom[].source` names a file that does not exist under the template's `files/` folder.",
  },
  PLB854: {
    title: "template file outside its folder",
    help: "Template files must live inside `templates/<slug>/files/`: no `..`, no absolute paths, no symbolic links.",
  },
  PLB855: {
    title: "template file too large",
    help: "Template files are capped (1 MiB each, 8 MiB per template) so contracts stay reviewable and small.",
  },
  PLB856: {
    title: "template render error",
    help: "Rendering a template file or field failed (syntax error or an undefined variable). Every variable must be a declared input.",
  },
  PLB857: {
    title: "script syntax error",
    help: "The compiled Bash script does not pass `bash -n`.",
  },
  PLB858: {
    title: "shellcheck finding",
    help: "The compiled script (rendered with the template's sample inputs) has a shellcheck finding at warning level or above.",
  },
  PLB859: {
    title: "forbidden pattern",
    help: "The template contains a pattern contracts may not use: download-and-execute (`curl … | sh`), `eval`, `sh -c`/`bash -c` with expansions, or `source` of a downloaded file.",
  },
  PLB860: {
    title: "write outside the BOM",
    help: "An executable template file writes to an absolute path that is not declared in the template's `bom`. Declare the file in `bom` so it is checksummed, or remove the write.",
  },
  PLB861: {
    title: "templates.lock out of date",
    help: "A template folder's content hash differs from `templates.lock` (or is missing from it). Review the change, then run `plumb templates lock` and commit the lock.",
  },
  PLB862: {
    title: "invalid templates.lock",
    help: '`templates.lock` is not valid JSON of the form {"version": 1, "templates": {"<slug>": "sha256:<hex>"}}. Regenerate it with `plumb templates lock`.',
  },
  PLB863: {
    title: "unknown template",
    help: "No folder `templates/<slug>/` with a `template.yml`. `plumb templates check` lists the templates.",
  },
  PLB864: {
    title: "invalid contract inputs",
    help: "The `--input` values do not satisfy the template's `inputs` schema; the message names the input.",
  },
  PLB865: {
    title: "bad --input syntax",
    help: "Write inputs as `--input key=value` (repeatable); `key=@file` reads the value from a file.",
  },
  PLB866: {
    title: "unknown target",
    help: "`--target` must name a machine declared in the infra (or pass `--external-target` for a plain server that is not declared in infra/).",
  },
  PLB867: {
    title: "lint tool missing",
    help: "The template gatekeeper needs `bash` and `shellcheck` on PATH (Debian: apt-get install shellcheck).",
  },
  PLB868: {
    title: "unused template file",
    help: "A file under `files/` is not referenced by the template's `bom`; it would never be deployed.",
  },

  // PLB87x–PLB89x — trust policy: keyring, manifests, contract verification
  PLB870: {
    title: "invalid keyring",
    help: "keys/keyring.json is not a valid plumb keyring (canonical JSON with schema, version, expires, keys, roles, revoked). Rebuild it with `plumb keys` commands rather than by hand.",
  },
  PLB871: {
    title: "keyring not signed by its threshold",
    help: "The keyring must carry valid signatures from at least `roles.keyring.threshold` distinct keys of its keyring role. Run `plumb keys sign-keyring --key <file>` with enough approvers.",
  },
  PLB872: {
    title: "keyring expired",
    help: "The keyring's `expires` is in the past; trust has lapsed. Extend it (`plumb keys expire-in <days>`) and have it re-signed.",
  },
  PLB873: {
    title: "keyring rotation refused",
    help: "A new keyring version must be exactly the previous version + 1 and be signed by a threshold of the previous keyring role's keys as well as its own; revoked keys never come back.",
  },
  PLB874: {
    title: "key not trusted for this role",
    help: "The signing key is not in the keyring role that this document needs (e.g. contract). Add it with `plumb keys trust <pubkey> --role contract` and re-sign the keyring.",
  },
  PLB875: {
    title: "key revoked",
    help: "The key is on the keyring's revocation list; its signatures count for nothing, even if it is still listed elsewhere.",
  },
  PLB876: {
    title: "key outside its validity window",
    help: "The key's valid_after/valid_before window does not contain the verification time.",
  },
  PLB877: {
    title: "signature threshold not met",
    help: "Fewer distinct trusted keys signed than the role's threshold requires. Two signatures by the same key count once.",
  },
  PLB878: {
    title: "invalid contract manifest",
    help: "manifest.json is not a canonical plumb contract manifest (schema 1). Re-create it with `plumb contract sign`.",
  },
  PLB879: {
    title: "contract for another target",
    help: "The manifest binds the contract to a different target: a contract signed for one machine cannot run on another.",
  },
  PLB880: {
    title: "manifest not valid now",
    help: "The verification time is before `not_before` or after `expires`; sign a fresh manifest.",
  },
  PLB881: {
    title: "keyring version mismatch",
    help: "The manifest was signed under another keyring version than the one the verifier trusts; re-sign under the current keyring.",
  },
  PLB882: {
    title: "script does not match the manifest",
    help: "sha256 of contract.sh differs from the manifest's subject: the script was changed after signing.",
  },
  PLB883: {
    title: "replayed or old contract",
    help: "The manifest's sequence number is not above the target's high-water mark: an already-run or older contract is refused.",
  },
  PLB884: {
    title: "verifier state missing or corrupt",
    help: "The target's high-water-mark state cannot be read; the verifier refuses rather than starting from zero. Restore it or re-bootstrap the target explicitly.",
  },
  PLB885: {
    title: "incomplete contract bundle",
    help: "A contract bundle needs contract.sh, hfc.json, manifest.json and signatures/*.sig.",
  },
  PLB886: {
    title: "no signing key",
    help: "Give --key <OpenSSH private key file> or --agent (uses $SSH_AUTH_SOCK).",
  },
  PLB887: {
    title: "keyring already exists",
    help: "keys/keyring.json exists; change it with `plumb keys trust|revoke|threshold` instead of `init`.",
  },
  PLB888: {
    title: "contract test failed",
    help: "In the sandbox container the contract was refused by the target-side verifier, or it ran and failed (a gate, a BOM write, an operation or a proof). The output and the log say which step.",
  },
  PLB889: {
    title: "sandbox unavailable",
    help: "`plumb contract test` needs a running Incus daemon and the Debian test image: `sudo scripts/incus-sandbox.sh up --with-debian`.",
  },
} as const satisfies Record<string, CodeInfo>;
