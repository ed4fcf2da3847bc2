// The TargetTransport of `type: server` machines: the system OpenSSH client through
// core/exec/exec.ts (no local shell), so ~/.ssh/config and the agent apply. Strict host-key
// checking against the declared fingerprint (host-key.ts), BatchMode, one connection per server
// reused by every call (ControlMaster in a private 0700 directory, closed by close()), per-call
// timeouts. The remote side runs a shell: every word is quoted by core/shell/quote.ts.
import { createHash } from "node:crypto";
import { chmodSync, lstatSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PlumbError } from "../../../core/errors.js";
import { exec, stderrTail } from "../../../core/exec/exec.js";
import { shqArgv } from "../../../core/shell/quote.js";
import type { RunOptions, RunResult, TargetTransport } from "../transport.js";
import { checkEndpoint, type SshEndpoint } from "./endpoint.js";
import {
  algorithmsFor,
  hostKeyAlias,
  knownHostsFile,
  mismatch,
  pinHostKey,
  type ScanOptions,
  scanHostKeys,
} from "./host-key.js";

export interface SshOptions {
  /** The repository's .plumb/ssh directory (known_hosts.d/, control sockets). */
  readonly sshDir: string;
  /** Seconds to open the TCP connection and finish the handshake (ssh ConnectTimeout). */
  readonly connectTimeoutS?: number;
  /** Milliseconds a call may take when the caller gives none. */
  readonly defaultTimeoutMs?: number;
  /** ssh -F: a config file instead of ~/.ssh/config (tests, CI). */
  readonly configFile?: string;
  /** Environment of the ssh processes (SSH_AUTH_SOCK for the agent); default: plumb's own. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The SSH options of a repository: .plumb/ssh, and $PLUMB_SSH_CONFIG as `ssh -F` when set. */
export function sshOptionsFor(
  root: string,
  env: Readonly<Record<string, string | undefined>>,
  extra: Partial<SshOptions> = {},
): SshOptions {
  return {
    sshDir: join(root, ".plumb", "ssh"),
    ...(env.PLUMB_SSH_CONFIG ? { configFile: env.PLUMB_SSH_CONFIG } : {}),
    env,
    ...extra,
  };
}

const CONNECT_TIMEOUT_S = 10;
const DEFAULT_TIMEOUT_MS = 300_000;
// A unix socket path holds at most 107 bytes; ssh adds "/" + 40 hex (%C) + a 17-byte temp suffix.
const MAX_CONTROL_DIR = 107 - 1 - 40 - 17;
// Lines ssh itself prints when the connection (not the remote command) failed, with exit 255.
const SSH_FAILURE =
  /^(ssh:|kex_exchange_identification|Connection (closed|timed out|refused|reset)|Host key verification failed|Permission denied|Bad (owner|configuration)|mux_client|Control socket|ControlSocket|channel \d+: open failed|[^\n]*(port \d+: |Could not resolve))/m;

function scanOptions(o: SshOptions): ScanOptions {
  return {
    timeoutS: o.connectTimeoutS ?? CONNECT_TIMEOUT_S,
    ...(o.env === undefined ? {} : { env: o.env }),
    ...(o.configFile === undefined ? {} : { configFile: o.configFile }),
  };
}

/** A value inside `-o Key=value`: ssh expands %-tokens and splits on spaces, so escape both. */
function optPath(path: string): string {
  if (/["\n\r\0]/.test(path))
    throw new PlumbError("PLB794", `the path ${JSON.stringify(path)} cannot be given to ssh`, {
      hint: "move the repository to a path without double quotes or line breaks",
    });
  return `"${path.replaceAll("%", "%%")}"`;
}

/** A private (0700, ours, not a link) directory for control sockets, short enough for a socket. */
function controlDir(sshDir: string): string {
  let dir = join(sshDir, "c");
  if (Buffer.byteLength(dir) > MAX_CONTROL_DIR) {
    const tag = createHash("sha256").update(sshDir).digest("hex").slice(0, 12);
    dir = join(tmpdir(), `plumb-ssh-${process.getuid?.() ?? 0}-${tag}`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.isSymbolicLink() || st.uid !== (process.getuid?.() ?? st.uid))
    throw new PlumbError("PLB794", `${dir} is not a private directory of this user`, {
      hint: "remove it; plumb recreates it with mode 0700",
    });
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}

// Streams stdin to a temporary file in the destination's directory, checks it has exactly the
// bytes sent (size and sha256: a client killed mid-stream closes stdin, which `cat` cannot tell
// from the end), then renames it over the destination: a reader, a dropped connection or a killed
// plumb leaves the old file or the new one, never half of it.
const PUT = `set -eu
p=$1; mode=$2; size=$3; sum=$4
d=$(dirname -- "$p")
mkdir -p -- "$d"
tmp=$(mktemp -- "$d/.plumb-put.XXXXXXXX")
trap 'rm -f -- "$tmp"' EXIT
trap 'rm -f -- "$tmp"; exit 1' HUP INT TERM PIPE
cat > "$tmp"
got=$(($(wc -c < "$tmp")))
if [ "$got" -ne "$size" ]; then echo "plumb: received $got of $size bytes" >&2; exit 3; fi
if [ "$(sha256sum < "$tmp" | cut -d ' ' -f 1)" != "$sum" ]; then echo "plumb: checksum mismatch" >&2; exit 3; fi
chmod "$mode" -- "$tmp"
chown 0:0 -- "$tmp"
sync -- "$tmp" 2>/dev/null || true
mv -fT -- "$tmp" "$p"
trap - EXIT`;

export class SshTransport implements TargetTransport {
  readonly kind = "server" as const;
  readonly machine: string;
  /** Calls made, for tests and metrics (each one ssh process; handshakes are reused). */
  calls = 0;
  private readonly base: readonly string[];
  private first: Promise<unknown> | undefined;
  private used = false;
  private closed = false;

  private constructor(
    private readonly e: SshEndpoint,
    private readonly o: SshOptions,
    algorithms: string,
  ) {
    this.machine = e.machine;
    const connect = o.connectTimeoutS ?? CONNECT_TIMEOUT_S;
    this.base = [
      ...(o.configFile === undefined ? [] : ["-F", o.configFile]),
      ...["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"],
      ...["-o", `UserKnownHostsFile=${optPath(knownHostsFile(o.sshDir, e.machine))}`],
      ...["-o", "GlobalKnownHostsFile=/dev/null", "-o", `HostKeyAlias=${hostKeyAlias(e.machine)}`],
      ...[
        "-o",
        `HostKeyAlgorithms=${algorithms}`,
        "-o",
        "CheckHostIP=no",
        "-o",
        "UpdateHostKeys=no",
      ],
      ...["-o", `ConnectTimeout=${connect}`, "-o", "ServerAliveInterval=10"],
      ...["-o", "ServerAliveCountMax=3", "-o", "ControlMaster=auto"],
      ...[
        "-o",
        `ControlPath=${optPath(join(controlDir(o.sshDir), "%C"))}`,
        "-o",
        "ControlPersist=60",
      ],
      ...["-o", "ForwardAgent=no", "-o", "ForwardX11=no", "-o", "ClearAllForwardings=yes"],
      ...["-o", "PermitLocalCommand=no", "-o", "LogLevel=ERROR", "-T"],
      ...["-p", String(e.port), "-l", e.user, ...(e.jump === undefined ? [] : ["-J", e.jump])],
    ];
  }

  /** Checks the endpoint, pins the declared host key (scanning if needed), and returns a transport. */
  static async open(endpoint: SshEndpoint, o: SshOptions): Promise<SshTransport> {
    const e = checkEndpoint(endpoint);
    mkdirSync(o.sshDir, { recursive: true, mode: 0o700 });
    const key = await pinHostKey(o.sshDir, e, scanOptions(o));
    return new SshTransport(e, o, algorithmsFor(key.type));
  }

  /** The ssh argv for a remote command line (exported for tests of the quoting). */
  argv(remote: string): string[] {
    return [...this.base, "--", this.e.address, remote];
  }

  private remoteLine(argv: readonly string[]): string {
    if (argv.length === 0)
      throw new PlumbError("PLB999", "empty remote command", { source: "internal" });
    return shqArgv(this.e.user === "root" ? argv : ["sudo", "-n", "--", ...argv]);
  }

  private async call(argv: readonly string[], input: Uint8Array | undefined, timeoutMs?: number) {
    if (this.closed)
      throw new PlumbError("PLB999", `ssh transport to ${this.machine} used after close`, {
        source: "internal",
      });
    // The first call opens the shared connection; the others wait for it, so they reuse it.
    const gate = this.first;
    const go = async () => {
      if (gate !== undefined) await gate.catch(() => undefined);
      this.calls++;
      this.used = true;
      const limit = timeoutMs ?? this.o.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
      try {
        return await exec("ssh", this.argv(this.remoteLine(argv)), {
          reject: false,
          timeoutMs: limit,
          ...(input === undefined ? {} : { input }),
          ...(this.o.env === undefined ? {} : { env: this.o.env }),
          installHint: "apt-get install -y openssh-client",
        });
      } catch (err) {
        if (err instanceof PlumbError && err.code === "PLB092")
          throw new PlumbError(
            "PLB795",
            `${argv[0]} on ${this.machine} did not finish within ${limit / 1000}s`,
            { hint: "the ssh client was stopped; check the server", cause: err },
          );
        throw err;
      }
    };
    const p = go();
    if (this.first === undefined) this.first = p;
    const r = await p;
    if (r.exitCode === 255 && SSH_FAILURE.test(r.stderr)) {
      if (/Host key verification failed/.test(r.stderr)) {
        // The pinned key no longer matches what the server offers: report both fingerprints.
        const offered = await scanHostKeys(this.e, scanOptions(this.o)).catch(() => []);
        throw mismatch(this.e, offered);
      }
      throw new PlumbError(
        "PLB791",
        `cannot reach ${this.machine} (${this.e.user}@${this.e.address}:${this.e.port}${this.e.jump ? ` via ${this.e.jump}` : ""}): ${stderrTail(r.stderr, 3)}`,
        {
          hint: "check the address, port, jump host, key/agent and ~/.ssh/config (docs/servers.md)",
        },
      );
    }
    return r;
  }

  /**
   * With a time limit the command is stopped on the server itself (coreutils `timeout`, exit 124
   * as with the Incus transport), not only abandoned: the local limit is a later guard.
   */
  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    if (opts.timeoutMs === undefined) {
      const r = await this.call(argv, undefined);
      return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    }
    const seconds = Math.max(1, Math.ceil(opts.timeoutMs / 1000));
    const bounded = ["timeout", "-k", "5", String(seconds), ...argv];
    const r = await this.call(bounded, undefined, (seconds + 30) * 1000);
    return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  }

  async put(path: string, bytes: Uint8Array, mode: string): Promise<void> {
    if (!path.startsWith("/") || !/^0?[0-7]{3,4}$/.test(mode))
      throw new PlumbError("PLB999", `put: bad path or mode (${path}, ${mode})`, {
        source: "internal",
      });
    const sum = createHash("sha256").update(bytes).digest("hex");
    const argv = ["sh", "-c", PUT, "plumb-put", path, mode, String(bytes.length), sum];
    const r = await this.call(argv, bytes);
    if (r.exitCode !== 0)
      throw new PlumbError(
        "PLB793",
        `writing ${path} on ${this.machine} failed (exit ${r.exitCode}): ${stderrTail(r.stderr, 3)}`,
        { hint: "the file on the server is unchanged" },
      );
  }

  /** Stops the shared connection (ssh -O exit). Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.used) return;
    await exec("ssh", [...this.base, "-O", "exit", "--", this.e.address], {
      reject: false,
      timeoutMs: 10_000,
      ...(this.o.env === undefined ? {} : { env: this.o.env }),
    }).catch(() => undefined);
  }
}
