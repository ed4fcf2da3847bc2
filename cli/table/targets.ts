// Command entries for contract targets: `plumb target bootstrap`.
import type { CommandSpec } from "../spec.js";
import { infraOption } from "./options.js";

export const TARGET_COMMANDS: readonly CommandSpec[] = [
  {
    name: "target",
    summary:
      "Prepare a machine to receive contracts (trust files, verifier, state) over its own channel",
    description:
      "bootstrap installs or updates what a contract target needs: /etc/plumb/trust (allowed_signers, revoked_keys,\n" +
      "policy and plumb-verify from the verified keyring), /var/lib/plumb/{state,run,contracts} and /var/log/plumb,\n" +
      "root-owned with safe modes; the replay state is created once and never reset. An Incus instance (lxc, vm) is\n" +
      "reached through the Incus API; a `type: server` machine through the system OpenSSH client (~/.ssh/config and\n" +
      "the agent apply; the host key must have the fingerprint declared in infra, ssh.host_key). One probe reads what is\n" +
      "there; only what differs is rewritten. A target that trusts a newer keyring is refused (PLB788), never\n" +
      "lowered. apply runs the same bootstrap before delivering contracts.",
    usage: "plumb target bootstrap <machine> [--dry-run] [--json]",
    positionals: { min: 2, max: 2 },
    options: {
      "dry-run": {
        type: "boolean",
        description: "Probe the target and list what would be written; change nothing",
      },
      infra: infraOption,
      now: {
        type: "string",
        valueName: "iso",
        description: "Clock for checking the keyring's validity (default: now)",
      },
    },
    examples: [
      [
        "plumb target bootstrap web-front-1",
        "Install or update the trust files on an Incus instance",
      ],
      ["plumb target bootstrap db-legacy --dry-run", "Show what a server over SSH would receive"],
      ["plumb target bootstrap db-legacy --json", "The outcome and each step as JSON"],
    ],
    load: () => import("../commands/target.js"),
  },
];
