// Unit tests of the SSH transport with stand-ins for `ssh` and `ssh-keyscan` on PATH: the fake ssh
// records its argv and runs the remote command line with the real sh locally, so quoting and the
// atomic put are exercised for real; tests/integration/server-target*.test.ts use a real sshd.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exec } from "../../../core/exec/exec.js";
import type { SshEndpoint } from "./endpoint.js";
import { keyFingerprint, knownHostsFile } from "./host-key.js";
import { SshTransport } from "./transport.js";

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

let dir: string;
let env: Record<string, string>;
let pub: string;
let fp: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "plumb-ssh-unit-"));
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin/ssh"), FAKE_SSH, { mode: 0o755 });
  writeFileSync(join(dir, "bin/ssh-keyscan"), FAKE_KEYSCAN, { mode: 0o755 });
  await exec("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "hk")]);
  pub = readFileSync(join(dir, "hk.pub"), "utf8").trim();
  fp = (await exec("ssh-keygen", ["-lf", join(dir, "hk.pub")])).stdout.split(" ")[1] as string;
  writeFileSync(join(dir, "keys"), `10.251.0.9 ${pub.split(" ").slice(0, 2).join(" ")}\n`);
  env = { PATH: `${join(dir, "bin")}:${process.env.PATH}`, FAKE_DIR: dir };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const endpoint = (o: Partial<SshEndpoint> = {}): SshEndpoint => ({
  machine: "db-legacy",
  address: "10.251.0.9",
  user: "root",
  port: 22,
  hostKey: fp,
  ...o,
});
const open = (o: Partial<SshEndpoint> = {}, extra: Record<string, string> = {}) =>
  SshTransport.open(endpoint(o), { sshDir: join(dir, ".plumb/ssh"), env: { ...env, ...extra } });
const sshCalls = () =>
  existsSync(join(dir, "ssh.args"))
    ? readFileSync(join(dir, "ssh.args"), "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => l.split("\0").slice(0, -1))
    : [];
const keyscans = () =>
  existsSync(join(dir, "keyscan.calls"))
    ? readFileSync(join(dir, "keyscan.calls"), "utf8").length / 2
    : 0;

describe("host keys", () => {
  it("computes fingerprints exactly as ssh-keygen -lf (ed25519 and rsa)", async () => {
    await exec("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", join(dir, "rsa")]);
    const rsa = readFileSync(join(dir, "rsa.pub"), "utf8").split(" ")[1] as string;
    const want = (await exec("ssh-keygen", ["-lf", join(dir, "rsa.pub")])).stdout.split(" ")[1];
    expect(keyFingerprint(rsa)).toBe(want);
    expect(keyFingerprint(pub.split(" ")[1] as string)).toBe(fp);
  });

  it("pins the scanned key only when it has the declared fingerprint, then never rescans", async () => {
    const t = await open();
    await t.close();
    const kh = knownHostsFile(join(dir, ".plumb/ssh"), "db-legacy");
    expect(readFileSync(kh, "utf8")).toBe(
      `plumb.db-legacy ${pub.split(" ").slice(0, 2).join(" ")}\n`,
    );
    expect(statSync(kh).mode & 0o777).toBe(0o600);
    await (await open()).close();
    expect(keyscans()).toBe(1);
  });

  it("refuses a server whose key has another fingerprint, naming both, and runs no ssh (PLB790)", async () => {
    const other = `SHA256:${"A".repeat(43)}`;
    const err = await open({ hostKey: other }).catch((e) => e);
    expect(err).toMatchObject({ code: "PLB790" });
    expect(err.message).toContain(other);
    expect(err.message).toContain(fp);
    expect(existsSync(knownHostsFile(join(dir, ".plumb/ssh"), "db-legacy"))).toBe(false);
    expect(sshCalls()).toEqual([]);
  });

  it("refuses when no key is offered (PLB792)", async () => {
    rmSync(join(dir, "keys"));
    await expect(open()).rejects.toMatchObject({ code: "PLB792" });
    expect(sshCalls()).toEqual([]);
  });
});

describe("SshTransport", () => {
  it("runs ssh strictly: BatchMode, StrictHostKeyChecking=yes, its own known_hosts, reuse, -- before the host", async () => {
    const t = await open();
    expect((await t.run(["true"])).code).toBe(0);
    await t.close();
    const [args = []] = sshCalls();
    const opts = args.filter((_, i) => args[i - 1] === "-o");
    expect(opts).toContain("BatchMode=yes");
    expect(opts).toContain("StrictHostKeyChecking=yes");
    expect(opts).toContain("ControlMaster=auto");
    expect(opts).toContain("ControlPersist=60");
    expect(opts).toContain("HostKeyAlias=plumb.db-legacy");
    expect(opts.join(" ")).not.toMatch(/StrictHostKeyChecking=(no|accept-new|off)/);
    const cp =
      opts
        .find((o) => o.startsWith("ControlPath="))
        ?.slice('ControlPath="'.length, -'/%C"'.length) ?? "";
    expect(statSync(cp).mode & 0o777).toBe(0o700);
    expect(args.slice(-3, -1)).toEqual(["--", "10.251.0.9"]);
    // close() stops the master
    expect(sshCalls()[1]).toContain("-O");
  });

  it("delivers hostile words verbatim: the remote shell interprets none of them", async () => {
    const words = [
      "$(touch pwned)",
      "`touch pwned`",
      "a;touch pwned",
      "it's",
      "*",
      "new\nline",
      "-rf",
      "$HOME",
      "\\",
    ];
    const t = await open();
    const r = await t.run(["printf", "%s|", ...words]);
    await t.close();
    expect(r.stdout).toBe(`${words.join("|")}|`);
    expect(existsSync("pwned")).toBe(false);
  });

  it("puts bytes atomically with the mode, creating parent directories", async () => {
    const t = await open();
    const target = join(dir, "remote/etc/plumb/trust/policy");
    const bytes = new Uint8Array([0, 1, 2, 255, 10, 39, 36]);
    await t.put(target, bytes, "0640");
    await t.close();
    expect(new Uint8Array(readFileSync(target))).toEqual(bytes);
    expect(statSync(target).mode & 0o777).toBe(0o640);
  });

  it("prefixes sudo -n for a non-root user", async () => {
    const t = await open({ user: "deploy" });
    await t.run(["id"]).catch(() => undefined);
    await t.close();
    expect(sshCalls()[0]?.at(-1)).toBe("'sudo' '-n' '--' 'id'");
  });

  it("reports an unreachable server as PLB791", async () => {
    const t = await open({}, { FAKE_SSH_FAIL: "1" });
    await expect(t.run(["true"])).rejects.toMatchObject({ code: "PLB791" });
    await t.close();
  });

  it("stops a call at its time limit (PLB795)", async () => {
    const t = await open({}, { FAKE_SSH_SLOW: "1" });
    const t0 = Date.now();
    await expect(t.run(["true"], { timeoutMs: 500 })).rejects.toMatchObject({ code: "PLB795" });
    expect(Date.now() - t0).toBeLessThan(5000);
    await t.close();
  });

  it("refuses an address that would be an ssh option before running anything (PLB794)", async () => {
    for (const bad of [
      { address: "-oProxyCommand=touch pwned" },
      { address: "host name" },
      { user: "-oProxyCommand=x" },
      { jump: "-oProxyCommand=x" },
      { hostKey: "SHA256:short" },
    ])
      await expect(open(bad)).rejects.toMatchObject({ code: "PLB794" });
    expect(keyscans()).toBe(0);
    expect(sshCalls()).toEqual([]);
  });
});
