// Declared targets and their contracts (PLB109–PLB129: infra validation), contract changes in
// the plan, secrets and redaction (PLB770–PLB776). docs/infra-reference.md, docs/security.md.
import type { CodeInfo } from "./code-info.js";

export const TARGET_CODES = {
  PLB109: {
    title: "server machine incomplete",
    help: "A `type: server` machine needs `address` (its IP or DNS name) and `ssh.host_key` (its host key fingerprint, `SHA256:` + 43 base64 characters as `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` prints it on the server). plumb never trusts a key on first use.",
  },
  PLB110: {
    title: "server key on an Incus machine",
    help: "`address` and `ssh` describe a plain server reached over SSH; an lxc/vm machine is an Incus instance whose address comes from its domain (`ip`). Set `type: server` or remove the keys.",
  },
  PLB111: {
    title: "Incus key on a server machine",
    help: "A `type: server` machine is not an Incus instance: `ip`, `profiles`, `config`, `devices`, `os_image` and the other instance keys have no effect on it. Remove the key, or make the machine lxc/vm.",
  },
  PLB112: {
    title: "server used as an Incus endpoint",
    help: "A `type: server` machine is not on a domain bridge: it cannot be a network policy endpoint or a shared-volume consumer. Name its domain or another machine instead.",
  },
  PLB113: {
    title: "duplicate contract name",
    help: "Contract names are unique per machine (the name defaults to the template slug). Give the second use of a template its own `name:`.",
  },
  PLB114: {
    title: "unknown contract template",
    help: "`contracts[].template` must name a folder under templates/ that passes the gatekeeper. The message suggests the closest name.",
  },
  PLB115: {
    title: "contract template not locked",
    help: "The template is not in templates.lock, or its content changed since the lock was written: an unreviewed template is never forged. Review the change, run `plumb templates lock` and commit templates.lock.",
  },
  PLB116: {
    title: "contract inputs invalid",
    help: "The inputs do not match the template's inputs schema (templates/<slug>/template.yml `inputs`). The message names the input; a secret's value is never shown.",
  },
  PLB117: {
    title: "secret reference for a plain input",
    help: "`{secret: NAME}` is for inputs the template marks `x-sensitive: true` only. Give the value itself, or mark the input sensitive in the template (and re-lock it).",
  },
  PLB118: {
    title: "secret written in the infra",
    help: "The template marks this input `x-sensitive`: its value must never be committed. Write `{secret: NAME}` and keep the value in `.plumb/secrets.yml` (mode 0600, git-ignored) or `PLUMB_SECRET_<NAME>` on the machine that runs apply.",
  },
  PLB770: {
    title: "secrets file not private",
    help: "`.plumb/secrets.yml` must be a regular file of the user running plumb with mode 0600 (no group or other access), not a symbolic link: `chmod 600 .plumb/secrets.yml`. plumb refuses to read a secret others can read.",
  },
  PLB771: {
    title: "secret not found",
    help: "A contract input `{secret: NAME}` has no value: add `NAME: value` to `.plumb/secrets.yml` (mode 0600) or export `PLUMB_SECRET_<NAME>` for the apply.",
  },
  PLB772: {
    title: "secrets file invalid",
    help: "`.plumb/secrets.yml` must be a YAML mapping of secret names to string values (`DB_PASSWORD: …`). The message gives the position; values are never shown.",
  },
  PLB773: {
    title: "sensitive value changed since the plan",
    help: "The plan carries a digest, never the value, of each sensitive config key; at apply the value is taken from the infra and must have the same digest. The infra changed after the plan: plan again.",
  },
  PLB774: {
    title: "contract cannot be planned",
    help: "A declared contract could not be rendered for the plan (the template or a catalog action refuses these inputs). The message says which machine, contract and step.",
  },
} as const satisfies Record<string, CodeInfo>;
