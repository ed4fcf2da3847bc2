// Where a `type: server` machine is reached: address, user, port, jump host and the declared host
// key fingerprint. Every value becomes an ssh argument, so each is checked here to be of a safe
// form (no leading '-', no spaces or control characters) before any program runs (PLB794).
import { PlumbError } from "../../../core/errors.js";

export interface SshEndpoint {
  /** The infra machine name (also the HostKeyAlias plumb records its key under). */
  readonly machine: string;
  readonly address: string;
  readonly user: string;
  readonly port: number;
  /** ProxyJump `[user@]host[:port]`, when the server is reached through a bastion. */
  readonly jump?: string;
  /** `SHA256:<43 base64>` as `ssh-keygen -lf` prints it. */
  readonly hostKey: string;
}

const MACHINE_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
// An IPv4/IPv6 literal or a DNS name: letters, digits, '.', ':', '-', '_' and not starting with '-'.
const HOST_RE = /^[A-Za-z0-9_.:]([A-Za-z0-9_.:-]{0,252})$/;
const USER_RE = /^[a-z_][a-z0-9_-]{0,31}[$]?$/;
const JUMP_RE =
  /^(?:[a-z_][a-z0-9_-]{0,31}@)?(?:[A-Za-z0-9_.][A-Za-z0-9_.-]{0,252}|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
const FP_RE = /^SHA256:[A-Za-z0-9+/]{43}$/;

function bad(machine: string, what: string, value: unknown): PlumbError {
  return new PlumbError(
    "PLB794",
    `machine ${machine}: ${what} ${JSON.stringify(String(value)).slice(0, 80)} is not a safe SSH value`,
    { hint: "fix it in infra (plumb validate shows where); docs/servers.md" },
  );
}

/** Checks an endpoint; throws PLB794 naming the first bad value. */
export function checkEndpoint(e: SshEndpoint): SshEndpoint {
  if (!MACHINE_RE.test(e.machine)) throw bad(e.machine, "the machine name", e.machine);
  if (!HOST_RE.test(e.address)) throw bad(e.machine, "the address", e.address);
  if (!USER_RE.test(e.user)) throw bad(e.machine, "the ssh user", e.user);
  if (!Number.isInteger(e.port) || e.port < 1 || e.port > 65535)
    throw bad(e.machine, "the ssh port", e.port);
  if (e.jump !== undefined && !JUMP_RE.test(e.jump)) throw bad(e.machine, "the jump host", e.jump);
  if (!FP_RE.test(e.hostKey)) throw bad(e.machine, "the host key fingerprint", e.hostKey);
  return e;
}

/** The endpoint of an infra machine of `type: server` (user root and port 22 by default). */
export function endpointOf(
  machine: string,
  m: {
    readonly address?: string;
    readonly ssh?: {
      readonly user?: string;
      readonly port?: number;
      readonly jump?: string;
      readonly host_key?: string;
    };
  },
): SshEndpoint {
  if (m.address === undefined) throw bad(machine, "the address", "(missing)");
  if (m.ssh?.host_key === undefined) throw bad(machine, "the host key fingerprint", "(missing)");
  return checkEndpoint({
    machine,
    address: m.address,
    user: m.ssh.user ?? "root",
    port: m.ssh.port ?? 22,
    ...(m.ssh.jump === undefined ? {} : { jump: m.ssh.jump }),
    hostKey: m.ssh.host_key,
  });
}

/** A server as the estate holds it (core/model/estate.ts `EstateServer`: defaults applied). */
export interface ServerAddress {
  readonly address: string;
  readonly user: string;
  readonly port: number;
  readonly jump?: string | undefined;
  readonly hostKey: string;
}

/** The checked endpoint of an estate server. */
export function toEndpoint(machine: string, s: ServerAddress): SshEndpoint {
  return checkEndpoint({
    machine,
    address: s.address,
    user: s.user,
    port: s.port,
    ...(s.jump === undefined ? {} : { jump: s.jump }),
    hostKey: s.hostKey,
  });
}
