// Test kit: stand-ins for `ssh` and `ssh-keyscan` on PATH. The fake ssh records its argv and runs
// the remote command line (its last argument) with the real sh locally, so the quoting and the
// atomic put of reconcilers/delivery/ssh/transport.ts run for real without an sshd; the fake
// ssh-keyscan prints a real host key made by ssh-keygen. tests/integration/server-target*.test.ts
// use a real sshd instead.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SshEndpoint } from "../../reconcilers/delivery/ssh/endpoint.js";
import { SshTransport } from "../../reconcilers/delivery/ssh/transport.js";

const FAKE_SSH = `#!/bin/bash
printf '%s\\0' "$@" >> "$FAKE_DIR/ssh.args"; printf '\\n' >> "$FAKE_DIR/ssh.args"
for a in "$@"; do [ "$a" = -O ] && exit 0; done
if [ -n "\${FAKE_SSH_FAIL:-}" ]; then echo "ssh: connect to host 10.251.0.9 port 22: Connection timed out" >&2; exit 255; fi
if [ -n "\${FAKE_SSH_SLOW:-}" ]; then exec sleep 30; fi
exec sh -c "\${@: -1}"
`;
const FAKE_KEYSCAN = `#!/bin/sh
echo x >> "$FAKE_DIR/keyscan.calls"
echo "# 10.251.0.9:22 SSH-2.0-OpenSSH_9.2p1" >&2
cat "$FAKE_DIR/keys" 2>/dev/null
exit 0
`;

export interface FakeSsh {
  readonly dir: string;
  readonly env: Record<string, string>;
  /** The fake server's host key line (`ssh-ed25519 AAAA…`) and fingerprint. */
  readonly pub: string;
  readonly fingerprint: string;
  readonly sshDir: string;
  endpoint(o?: Partial<SshEndpoint>): SshEndpoint;
  open(o?: Partial<SshEndpoint>, env?: Record<string, string>): Promise<SshTransport>;
  /** argv of every ssh run, in order. */
  sshCalls(): string[][];
  keyscans(): number;
  destroy(): void;
}

export function fakeSsh(): FakeSsh {
  const dir = mkdtempSync(join(tmpdir(), "plumb-ssh-fake-"));
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin/ssh"), FAKE_SSH, { mode: 0o755 });
  writeFileSync(join(dir, "bin/ssh-keyscan"), FAKE_KEYSCAN, { mode: 0o755 });
  spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "hk")]);
  const pub = readFileSync(join(dir, "hk.pub"), "utf8").split(" ").slice(0, 2).join(" ");
  const fingerprint = spawnSync("ssh-keygen", ["-lf", join(dir, "hk.pub")], {
    encoding: "utf8",
  }).stdout.split(" ")[1] as string;
  writeFileSync(join(dir, "keys"), `10.251.0.9 ${pub}\n`);
  const env = { PATH: `${join(dir, "bin")}:${process.env.PATH}`, FAKE_DIR: dir };
  const sshDir = join(dir, ".plumb/ssh");
  const endpoint = (o: Partial<SshEndpoint> = {}): SshEndpoint => ({
    machine: "db-legacy",
    address: "10.251.0.9",
    user: "root",
    port: 22,
    hostKey: fingerprint,
    ...o,
  });
  return {
    dir,
    env,
    pub,
    fingerprint,
    sshDir,
    endpoint,
    open: (o = {}, extra = {}) =>
      SshTransport.open(endpoint(o), { sshDir, env: { ...env, ...extra } }),
    sshCalls: () =>
      existsSync(join(dir, "ssh.args"))
        ? readFileSync(join(dir, "ssh.args"), "utf8")
            .split("\n")
            .filter((l) => l !== "")
            .map((l) => l.split("\0").slice(0, -1))
        : [],
    keyscans: () =>
      existsSync(join(dir, "keyscan.calls"))
        ? readFileSync(join(dir, "keyscan.calls"), "utf8").length / 2
        : 0,
    destroy: () => rmSync(dir, { recursive: true, force: true }),
  };
}
