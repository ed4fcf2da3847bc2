// Host keys of servers: plumb connects only with StrictHostKeyChecking=yes against a known_hosts
// file it writes itself, one per machine (.plumb/ssh/known_hosts.d/<machine>), and writes a key
// there only after its SHA256 fingerprint equals the one declared in infra (`ssh.host_key`).
// A mismatch refuses with both fingerprints (PLB790) before anything is sent.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PlumbError } from "../../../core/errors.js";
import { exec } from "../../../core/exec/exec.js";
import { writeAtomic } from "../../../core/io/trust-store.js";
import { shqArgv } from "../../../core/shell/quote.js";
import { decodeBase64Strict, encodeBase64NoPad } from "../../../core/signing/base64.js";
import type { SshEndpoint } from "./endpoint.js";

export interface HostKey {
  readonly type: string;
  readonly base64: string;
  readonly fingerprint: string;
}

/** The name the key is recorded under (ssh -o HostKeyAlias): independent of address and port. */
export const hostKeyAlias = (machine: string) => `plumb.${machine}`;

/** `SHA256:…` of a key blob, exactly as `ssh-keygen -lf` prints it; undefined if not base64. */
export function keyFingerprint(base64: string): string | undefined {
  const blob = decodeBase64Strict(base64);
  if (blob === undefined || blob.length === 0) return undefined;
  return `SHA256:${encodeBase64NoPad(createHash("sha256").update(blob).digest())}`;
}

/** The HostKeyAlgorithms that make ssh negotiate exactly this key's type. */
export function algorithmsFor(type: string): string {
  return type === "ssh-rsa" ? "rsa-sha2-512,rsa-sha2-256" : type;
}

/** Parses `ssh-keyscan` output / known_hosts lines: `<host> <type> <base64>`. */
export function parseKeyLines(text: string): HostKey[] {
  const keys: HostKey[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\S+)\s+([a-z0-9@.-]+)\s+([A-Za-z0-9+/=]+)\s*$/.exec(line.trim());
    if (!m || line.startsWith("#")) continue;
    const fp = keyFingerprint(m[3] as string);
    if (fp !== undefined)
      keys.push({ type: m[2] as string, base64: m[3] as string, fingerprint: fp });
  }
  return keys;
}

export function knownHostsFile(sshDir: string, machine: string): string {
  return join(sshDir, "known_hosts.d", machine);
}

/** The pinned key when the machine's known_hosts file holds the declared one; else undefined. */
export function pinnedKey(sshDir: string, e: SshEndpoint): HostKey | undefined {
  const file = knownHostsFile(sshDir, e.machine);
  if (!existsSync(file)) return undefined;
  return parseKeyLines(readFileSync(file, "utf8")).find((k) => k.fingerprint === e.hostKey);
}

export interface ScanOptions {
  readonly timeoutS: number;
  /** ssh-keyscan through a local forward (jump hosts): the host and port to scan instead. */
  readonly via?: { readonly host: string; readonly port: number };
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** ssh -F for the jump host connection. */
  readonly configFile?: string;
}

/** `[user@]host[:port]` of a ProxyJump value (endpoint.ts checked its form). */
export function parseJump(jump: string): { user?: string; host: string; port?: number } {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(jump);
  const host = (m?.[2] ?? jump).replace(/^\[(.*)\]$/, "$1");
  return {
    host,
    ...(m?.[1] === undefined ? {} : { user: m[1] }),
    ...(m?.[3] === undefined ? {} : { port: Number(m[3]) }),
  };
}

/** Every host key the server offers (ssh-keyscan; nothing is sent but the key exchange). */
export async function scanHostKeys(e: SshEndpoint, o: ScanOptions): Promise<HostKey[]> {
  const host = o.via?.host ?? e.address;
  const port = o.via?.port ?? e.port;
  const scan = ["ssh-keyscan", "-T", String(o.timeoutS), "-p", String(port), "--", host];
  if (e.jump !== undefined && o.via === undefined) return scanThroughJump(e, o, scan);
  const r = await exec(scan[0] as string, scan.slice(1), {
    reject: false,
    timeoutMs: (o.timeoutS + 5) * 1000,
    installHint: "apt-get install -y openssh-client",
    ...(o.env === undefined ? {} : { env: o.env }),
  });
  return parseKeyLines(r.stdout);
}

// Behind a bastion the server is not reachable from here: the bastion runs ssh-keyscan. It need
// not be trusted for this: a key is pinned only if its fingerprint is the one declared in infra.
// The bastion itself is checked by the operator's own ssh configuration (its known_hosts).
async function scanThroughJump(
  e: SshEndpoint,
  o: ScanOptions,
  scan: readonly string[],
): Promise<HostKey[]> {
  const j = parseJump(e.jump as string);
  const r = await exec(
    "ssh",
    [
      ...(o.configFile === undefined ? [] : ["-F", o.configFile]),
      ...["-o", "BatchMode=yes", "-o", `ConnectTimeout=${o.timeoutS}`, "-T"],
      ...(j.port === undefined ? [] : ["-p", String(j.port)]),
      ...(j.user === undefined ? [] : ["-l", j.user]),
      "--",
      j.host,
      shqArgv(scan),
    ],
    {
      reject: false,
      timeoutMs: (o.timeoutS * 2 + 5) * 1000,
      installHint: "apt-get install -y openssh-client",
      ...(o.env === undefined ? {} : { env: o.env }),
    },
  );
  return parseKeyLines(r.stdout);
}

export function mismatch(e: SshEndpoint, offered: readonly HostKey[]): PlumbError {
  const got = offered.map((k) => `${k.type} ${k.fingerprint}`).join(", ");
  return new PlumbError(
    "PLB790",
    `host key mismatch for ${e.machine} (${e.address}:${e.port}): infra declares ${e.hostKey}, the server offers ${got}`,
    {
      hint: "nothing was sent. Compare with the key on the server's console (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) before changing ssh.host_key in infra",
    },
  );
}

/**
 * Makes sure the machine's known_hosts file holds the declared key and returns it. Scans only when
 * the file does not already hold a key with the declared fingerprint.
 */
export async function pinHostKey(sshDir: string, e: SshEndpoint, o: ScanOptions): Promise<HostKey> {
  const known = pinnedKey(sshDir, e);
  const line = (k: HostKey) => `${hostKeyAlias(e.machine)} ${k.type} ${k.base64}\n`;
  if (known !== undefined) {
    // ssh accepts any key listed for the alias: keep exactly the declared one, nothing planted.
    const file = knownHostsFile(sshDir, e.machine);
    if (readFileSync(file, "utf8") !== line(known)) writeAtomic(file, line(known), 0o600);
    return known;
  }
  const offered = await scanHostKeys(e, o);
  if (offered.length === 0)
    throw new PlumbError(
      "PLB792",
      `no host key from ${e.machine} (${e.address}:${e.port}${e.jump ? ` via ${e.jump}` : ""}) within ${o.timeoutS}s`,
      { hint: "check that the server runs sshd on that address and port; nothing was sent" },
    );
  const match = offered.find((k) => k.fingerprint === e.hostKey);
  if (match === undefined) throw mismatch(e, offered);
  mkdirSync(join(sshDir, "known_hosts.d"), { recursive: true, mode: 0o700 });
  writeAtomic(knownHostsFile(sshDir, e.machine), line(match), 0o600);
  return match;
}
