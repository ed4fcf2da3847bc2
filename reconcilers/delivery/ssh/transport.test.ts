// Unit tests of the SSH transport with stand-ins for `ssh` and `ssh-keyscan` (tests/kit/fake-ssh.ts):
// the remote command line runs in the real sh locally, so quoting and the atomic put run for real.
// tests/integration/server-target*.test.ts use a real sshd.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exec } from "../../../core/exec/exec.js";
import { type FakeSsh, fakeSsh } from "../../../tests/kit/fake-ssh.js";
import { keyFingerprint, knownHostsFile } from "./host-key.js";
import { SshTransport } from "./transport.js";

let f: FakeSsh;
beforeEach(() => {
  f = fakeSsh();
});
afterEach(() => f.destroy());

describe("host keys", () => {
  it("computes fingerprints exactly as ssh-keygen -lf (ed25519 and rsa)", async () => {
    await exec("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", join(f.dir, "rsa")]);
    const rsa = readFileSync(join(f.dir, "rsa.pub"), "utf8").split(" ")[1] as string;
    const want = (await exec("ssh-keygen", ["-lf", join(f.dir, "rsa.pub")])).stdout.split(" ")[1];
    expect(keyFingerprint(rsa)).toBe(want);
    expect(keyFingerprint(f.pub.split(" ")[1] as string)).toBe(f.fingerprint);
  });

  it("pins the scanned key only when it has the declared fingerprint, then never rescans", async () => {
    await (await f.open()).close();
    const kh = knownHostsFile(f.sshDir, "db-legacy");
    expect(readFileSync(kh, "utf8")).toBe(`plumb.db-legacy ${f.pub}\n`);
    expect(statSync(kh).mode & 0o777).toBe(0o600);
    await (await f.open()).close();
    expect(f.keyscans()).toBe(1);
  });

  it("refuses a server whose key has another fingerprint, naming both, and runs no ssh (PLB790)", async () => {
    const other = `SHA256:${"A".repeat(43)}`;
    const err = await f.open({ hostKey: other }).catch((e) => e);
    expect(err).toMatchObject({ code: "PLB790" });
    expect(err.message).toContain(other);
    expect(err.message).toContain(f.fingerprint);
    expect(existsSync(knownHostsFile(f.sshDir, "db-legacy"))).toBe(false);
    expect(f.sshCalls()).toEqual([]);
  });

  it("refuses when no key is offered (PLB792)", async () => {
    await exec("rm", [join(f.dir, "keys")]);
    await expect(f.open()).rejects.toMatchObject({ code: "PLB792" });
    expect(f.sshCalls()).toEqual([]);
  });
});

describe("SshTransport", () => {
  it("runs ssh strictly: BatchMode, StrictHostKeyChecking=yes, its own known_hosts, reuse, -- before the host", async () => {
    const t = await f.open();
    expect((await t.run(["true"])).code).toBe(0);
    await t.close();
    const [args = []] = f.sshCalls();
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
    expect(f.sshCalls()[1]).toContain("-O"); // close() stops the master
  });

  it("puts bytes atomically with the mode, creating parent directories", async () => {
    const t = await f.open();
    const target = join(f.dir, "remote/etc/plumb/trust/policy");
    const bytes = new Uint8Array([0, 1, 2, 255, 10, 39, 36]);
    await t.put(target, bytes, "0640");
    await t.close();
    expect(new Uint8Array(readFileSync(target))).toEqual(bytes);
    expect(statSync(target).mode & 0o777).toBe(0o640);
  });

  it("prefixes sudo -n for a non-root user", async () => {
    const t = await f.open({ user: "deploy" });
    await t.run(["id"]).catch(() => undefined);
    await t.close();
    expect(f.sshCalls()[0]?.at(-1)).toBe("'sudo' '-n' '--' 'id'");
  });

  it("reports an unreachable server as PLB791", async () => {
    const t = await f.open({}, { FAKE_SSH_FAIL: "1" });
    await expect(t.run(["true"])).rejects.toMatchObject({ code: "PLB791" });
    await t.close();
  });

  it("stops a call at its time limit when the connection hangs (PLB795)", async () => {
    const t = await SshTransport.open(f.endpoint(), {
      sshDir: f.sshDir,
      env: { ...f.env, FAKE_SSH_SLOW: "1" },
      defaultTimeoutMs: 500,
    });
    const t0 = Date.now();
    await expect(t.put("/nonexistent/x", new Uint8Array(1), "0644")).rejects.toMatchObject({
      code: "PLB795",
    });
    expect(Date.now() - t0).toBeLessThan(8000);
    await t.close();
  });

  it("a run with a time limit is stopped on the server itself: exit 124", async () => {
    const t = await f.open();
    const t0 = Date.now();
    const r = await t.run(["sleep", "20"], { timeoutMs: 1000 });
    await t.close();
    expect(r.code).toBe(124);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(f.sshCalls()[0]?.at(-1)).toBe("'timeout' '-k' '5' '1' 'sleep' '20'");
  });
});
