// Attacks on the SSH delivery channel (reconcilers/delivery/ssh), one test each, with stand-ins
// for ssh/ssh-keyscan (tests/kit/fake-ssh.ts) so they run without a daemon:
// - a repository writer puts an ssh option where an address, user or jump host goes;
// - a hostile argv word or path (a contract name, an input) reaches the remote shell;
// - a local user plants the control-socket directory (a link or their own directory);
// - a contract name traverses out of /var/lib/plumb/contracts;
// - a key is planted beside the declared one in plumb's known_hosts file.
// The real-sshd counterparts (host key mismatch, hostile ssh_config) are in
// tests/integration/server-target.test.ts.
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { knownHostsFile } from "../../reconcilers/delivery/ssh/host-key.js";
import { recordContractHash } from "../../reconcilers/delivery/ssh/state.js";
import { SshTransport } from "../../reconcilers/delivery/ssh/transport.js";
import { type FakeSsh, fakeSsh } from "../kit/fake-ssh.js";

let f: FakeSsh;
beforeEach(() => {
  f = fakeSsh();
});
afterEach(() => f.destroy());

describe("ssh delivery attacks", () => {
  it("an ssh option in address, user, port or jump host is refused before any program runs", async () => {
    const pwned = join(f.dir, "pwned");
    for (const bad of [
      { address: `-oProxyCommand=touch ${pwned}` },
      { address: "host -oProxyCommand=x" },
      { address: "host\n-oProxyCommand=x" },
      { user: "-oProxyCommand=x" },
      { user: "root -F/etc/x" },
      { jump: "-oProxyCommand=x" },
      { jump: "bastion;touch x" },
      { jump: "bastion $(touch x)" },
      { port: 0 },
      { hostKey: "SHA256:short" },
      { machine: "../../etc" },
    ])
      await expect(f.open(bad)).rejects.toMatchObject({ code: "PLB794" });
    expect(f.keyscans()).toBe(0);
    expect(f.sshCalls()).toEqual([]);
    expect(existsSync(pwned)).toBe(false);
  });

  it("any argv word reaches the remote command verbatim (property, real sh)", async () => {
    const t = await f.open();
    const word = fc.string({ unit: "grapheme", maxLength: 24 }).filter((s) => !s.includes("\0"));
    await fc.assert(
      fc.asyncProperty(fc.array(word, { minLength: 1, maxLength: 5 }), async (words) => {
        const r = await t.run(["printf", "%s\\0", ...words]);
        expect(r.stdout).toBe(words.map((w) => `${w}\0`).join(""));
      }),
      { numRuns: 40 },
    );
    await t.close();
    expect(existsSync(join(process.cwd(), "pwned"))).toBe(false);
  });

  it("a hostile destination path is written as a literal name, never interpreted", async () => {
    const t = await f.open();
    const base = join(f.dir, "remote");
    const path = join(base, "we ird'$(touch pwned)`touch pwned`;x");
    await t.put(path, new TextEncoder().encode("ok"), "0600");
    await t.close();
    expect(existsSync(path)).toBe(true);
    expect(existsSync(join(base, "pwned"))).toBe(false);
    expect(existsSync("pwned")).toBe(false);
  });

  it("a contract name that traverses or quotes is refused before anything is sent", async () => {
    const t = await f.open();
    for (const name of ["../../etc/passwd", "a/b", "x'; touch pwned; '", "", "UPPER"])
      await expect(recordContractHash(t, name, `sha256:${"a".repeat(64)}`)).rejects.toMatchObject({
        code: "PLB999",
      });
    await t.close();
    expect(f.sshCalls().filter((c) => !c.includes("-O"))).toEqual([]);
  });

  it("a key planted beside the declared one in the machine's known_hosts file is dropped before ssh runs", async () => {
    const kh = knownHostsFile(f.sshDir, "db-legacy");
    mkdirSync(join(f.sshDir, "known_hosts.d"), { recursive: true });
    const planted =
      "plumb.db-legacy ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJOET+Y94hKdYJ76gYt7Qa8N5nLD4pM8kHUmfVNRU5gj";
    writeFileSync(kh, `${planted}\nplumb.db-legacy ${f.pub}\n`);
    const t = await f.open();
    await t.run(["true"]);
    await t.close();
    expect(readFileSync(kh, "utf8")).toBe(`plumb.db-legacy ${f.pub}\n`);
    expect(f.keyscans()).toBe(0);
  });

  it("a control-socket directory planted as a link is refused", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "plumb-ssh-planted-"));
    try {
      mkdirSync(f.sshDir, { recursive: true });
      symlinkSync(elsewhere, join(f.sshDir, "c"));
      await expect(f.open()).rejects.toMatchObject({ code: "PLB794" });
      expect(f.sshCalls()).toEqual([]);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("a control-socket directory owned by another user is refused", async () => {
    mkdirSync(join(f.sshDir, "c"), { recursive: true, mode: 0o777 });
    chownSync(join(f.sshDir, "c"), 4242, 4242);
    await expect(
      SshTransport.open(f.endpoint(), { sshDir: f.sshDir, env: f.env }),
    ).rejects.toMatchObject({ code: "PLB794" });
    expect(f.sshCalls()).toEqual([]);
  });
});
