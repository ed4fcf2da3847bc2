// Servers over OpenSSH and target bootstrap (issue 12 item 4): PLB788–PLB798.
import type { CodeInfo } from "./code-info.js";

export const SSH_CODES = {
  PLB788: {
    title: "target trusts a newer keyring",
    help: "Bootstrap never lowers what a target trusts: the target's /etc/plumb/trust/policy names a newer keyring version (or the same version with different keyring bytes) than the one being installed. Pull the newer keyring (`git pull`) and retry; if the target's keyring is not one you signed, treat the target as compromised.",
  },
  PLB789: {
    title: "target bootstrap failed",
    help: "A plumb path on the target (/etc/plumb, /var/lib/plumb, /var/log/plumb) is a symbolic link or of the wrong type, or a bootstrap command failed. The message names the path or the command's error; fix the target by hand (as root) and retry.",
  },
  PLB790: {
    title: "host key mismatch",
    help: "The SSH host key the server presents does not have the fingerprint declared in infra (`ssh.host_key`). Nothing was sent. If the server was reinstalled, check its new key out of band (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on its console) and update infra; otherwise someone may be intercepting the connection.",
  },
  PLB791: {
    title: "server unreachable",
    help: "The SSH connection to the server could not be opened in time (address, port, jump host, firewall, or authentication). The message ends with ssh's own error. Check `ssh -p <port> <user>@<address>` by hand with the same ~/.ssh/config and agent.",
  },
  PLB792: {
    title: "host key not obtained",
    help: "ssh-keyscan got no host key from the server (not listening, filtered, or the jump host refused). plumb never connects without checking the declared fingerprint, so nothing was sent.",
  },
  PLB793: {
    title: "remote write failed",
    help: "Writing a file on the server (streamed on stdin to a temporary file in the same directory, then renamed over the target) failed; the target file is unchanged. The message ends with the remote error.",
  },
  PLB794: {
    title: "bad SSH endpoint",
    help: "An SSH address, user, port or jump host is not of a safe form (it must not start with '-', contain spaces or control characters). plumb refuses it before running ssh, so no value can become an ssh option.",
  },
  PLB795: {
    title: "remote command timed out",
    help: "A command on the server did not finish within its time limit; plumb closed the connection. Raise the limit (`--contract-timeout`) or check the server.",
  },
  PLB796: {
    title: "not a contract target",
    help: "`plumb target bootstrap` takes a machine declared in infra of type lxc, vm (an Incus instance) or server. Check the name with `plumb validate`.",
  },
  PLB797: {
    title: "server contract state unreadable",
    help: "/var/lib/plumb/contracts/<name>.hash on the server holds something other than a `sha256:<64 hex>` contract hash. The contract is treated as never run; re-running it rewrites the file.",
  },
} as const satisfies Record<string, CodeInfo>;
