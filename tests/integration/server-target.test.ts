// A `type: server` target over Debian's real OpenSSH server (plumb-debian-ssh, built by
// `scripts/incus-sandbox.sh up --with-ssh`) on an isolated test bridge: bootstrap, a signed
// contract verified and run by plumb-verify, the recorded hash read back, one connection for many
// calls, host key mismatches refused before anything is sent, an unreachable server bounded in
// time, and hostile words delivered verbatim.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { targetTrustFiles } from "../../core/trust/target-files.js";
import { bootstrapTarget, ensureBootstrap } from "../../reconcilers/delivery/bootstrap.js";
import {
  readServerContractState,
  recordContractHash,
} from "../../reconcilers/delivery/ssh/state.js";
import { SshTransport } from "../../reconcilers/delivery/ssh/transport.js";
import type { TargetTransport } from "../../reconcilers/delivery/transport.js";
import { trustKit, verifyArgv } from "../kit/trust-target.js";
import { skip } from "./reconcile-kit.js";
import { haveSshImage, type SshLab, type SshServer, sshLab } from "./server-target-kit.js";

// CI always runs it (scripts/test.sh builds the image): a missing image fails there, never skips.
const ready = !skip && (haveSshImage() || Boolean(process.env.CI));
const why = ready
  ? ""
  : " (skipped: no Incus or no plumb-debian-ssh image; scripts/incus-sandbox.sh up --with-ssh)";
const enc = new TextEncoder();

async function pushBundle(
  t: TargetTransport,
  dir: string,
  b: Awaited<ReturnType<ReturnType<typeof trustKit>["bundle"]>>,
) {
  await t.put(`${dir}/contract.sh`, b.script, "0644");
  await t.put(`${dir}/hfc.json`, b.hfc, "0644");
  await t.put(`${dir}/manifest.json`, b.manifest, "0644");
  for (const s of b.signatures) await t.put(`${dir}/signatures/${s.name}`, s.bytes, "0644");
}

describe.skipIf(!ready)(`server target over a real sshd${why}`, () => {
  let lab: SshLab;
  let srv: SshServer;
  const kit = trustKit("acme");
  const files = targetTrustFiles(kit.keyring, "c".repeat(64));

  beforeAll(async () => {
    lab = sshLab();
    srv = await lab.server(10);
  }, 120_000);
  afterAll(() => lab?.destroy());

  it("bootstraps over ssh (root-owned trust files, state), then finds it current", async () => {
    const t = await SshTransport.open(srv.endpoint, lab.options);
    try {
      expect(await ensureBootstrap(t, files)).toBe("installed");
      const again = await bootstrapTarget(t, files);
      expect(again.outcome).toBe("current");
      expect(again.steps).toEqual([]);
    } finally {
      await t.close();
    }
    const ls = srv.sh(
      "stat -c '%U %a %n' /etc/plumb/trust /etc/plumb/trust/plumb-verify /etc/plumb/trust/policy /var/lib/plumb /var/lib/plumb/state /var/log/plumb",
    );
    expect(ls.stdout.trim().split("\n")).toEqual([
      "root 755 /etc/plumb/trust",
      "root 755 /etc/plumb/trust/plumb-verify",
      "root 644 /etc/plumb/trust/policy",
      "root 700 /var/lib/plumb",
      "root 600 /var/lib/plumb/state",
      "root 700 /var/log/plumb",
    ]);
    expect(srv.sh("cat /var/lib/plumb/state").stdout).toBe(`${kit.keyring.version} 0\n`);
  });

  it("delivers a signed contract: plumb-verify accepts and runs it once, the hash is read back", async () => {
    const machine = srv.endpoint.machine;
    const bundle = await kit.bundle({
      target: machine,
      seq: 7,
      script: "printf 'hello from plumb\\n' > /etc/motd\n",
    });
    const t = await SshTransport.open(srv.endpoint, lab.options);
    try {
      await ensureBootstrap(t, files);
      const dir = "/var/lib/plumb/run/in-motd";
      await pushBundle(t, dir, bundle);
      const r = await t.run(verifyArgv(dir, machine), { timeoutMs: 60_000 });
      expect(r.stdout, r.stderr).toContain('PLUMB-VERIFY {"status":"ok"');
      expect(r.code).toBe(0);
      const replay = await t.run(verifyArgv(dir, machine), { timeoutMs: 60_000 });
      expect(replay.stdout).toContain('"code":"PLB883"');
      await recordContractHash(t, "motd", `sha256:${"d".repeat(64)}`);
    } finally {
      await t.close();
    }
    expect(srv.sh("cat /etc/motd").stdout).toBe("hello from plumb\n");
    const state = await readServerContractState(machine, srv.endpoint, lab.options);
    expect(state).toEqual({ motd: `sha256:${"d".repeat(64)}` });
    expect(srv.sh("stat -c '%U %a' /var/lib/plumb/contracts/motd.hash").stdout).toBe("root 600\n");
  });

  it("a wrong target name is refused by plumb-verify on the server (PLB879)", async () => {
    const bundle = await kit.bundle({ target: "someone-else", seq: 9, script: "touch /tmp/ran\n" });
    const t = await SshTransport.open(srv.endpoint, lab.options);
    try {
      await pushBundle(t, "/var/lib/plumb/run/in-wrong", bundle);
      const r = await t.run(verifyArgv("/var/lib/plumb/run/in-wrong", srv.endpoint.machine));
      expect(r.stdout).toContain('"code":"PLB879"');
      expect(r.code).toBe(1);
    } finally {
      await t.close();
    }
    expect(srv.sh("test -e /tmp/ran").code).not.toBe(0);
  });

  it("reuses one SSH connection for many calls, and close() ends it", async () => {
    const before = srv.logins();
    const t = await SshTransport.open(srv.endpoint, lab.options);
    for (let i = 0; i < 8; i++) expect((await t.run(["true"])).code).toBe(0);
    await Promise.all(
      [1, 2, 3, 4].map((i) => t.put(`/tmp/reuse-${i}`, enc.encode(`${i}`), "0600")),
    );
    await t.close();
    expect(t.calls).toBe(12);
    expect(srv.logins() - before).toBe(1);
    // A new transport after close() has to authenticate again: the master is gone.
    const t2 = await SshTransport.open(srv.endpoint, lab.options);
    await t2.run(["true"]);
    await t2.close();
    expect(srv.logins() - before).toBe(2);
  });

  it("refuses a server whose key is not the declared one, before authenticating or sending anything", async () => {
    const before = srv.logins();
    const wrong = {
      ...srv.endpoint,
      machine: `${srv.endpoint.machine}-w`,
      hostKey: `SHA256:${"Q".repeat(43)}`,
    };
    const err = await SshTransport.open(wrong, lab.options).catch((e) => e);
    expect(err).toMatchObject({ code: "PLB790" });
    expect(err.message).toContain(wrong.hostKey);
    expect(err.message).toContain(srv.endpoint.hostKey);
    expect(srv.logins()).toBe(before);
  });

  it("refuses when the server's key changed after it was pinned (PLB790, both fingerprints)", async () => {
    const other = await lab.server(11);
    const t = await SshTransport.open(other.endpoint, lab.options);
    await t.run(["true"]);
    await t.close();
    const regen = other.sh(
      "rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null && kill -HUP $(cat /run/sshd.pid) && sleep 1 && ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub",
    );
    expect(regen.code, regen.stderr).toBe(0);
    const fresh = regen.stdout.split(" ")[1] as string;
    const before = other.logins();
    const t2 = await SshTransport.open(other.endpoint, lab.options);
    const err = await t2.run(["touch", "/tmp/should-not-exist"]).catch((e) => e);
    await t2.close();
    expect(err).toMatchObject({ code: "PLB790" });
    expect(err.message).toContain(other.endpoint.hostKey);
    expect(err.message).toContain(fresh);
    expect(other.logins()).toBe(before);
    expect(other.sh("test -e /tmp/should-not-exist").code).not.toBe(0);
    // An ssh_config that turns checking off (as ~/.ssh/config might) changes nothing: plumb's
    // own -o options come first on the command line, and ssh keeps the first value it reads.
    const hostile = join(lab.dir, "hostile_config");
    writeFileSync(
      hostile,
      `Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  GlobalKnownHostsFile /dev/null\n${readFileSync(join(lab.dir, "ssh_config"), "utf8")}`,
    );
    const t3 = await SshTransport.open(other.endpoint, { ...lab.options, configFile: hostile });
    const err3 = await t3.run(["touch", "/tmp/should-not-exist"]).catch((e) => e);
    await t3.close();
    expect(err3).toMatchObject({ code: "PLB790" });
    expect(other.logins()).toBe(before);
    expect(other.sh("test -e /tmp/should-not-exist").code).not.toBe(0);
  }, 60_000);

  it("a write killed halfway leaves the old file whole", async () => {
    const t = await SshTransport.open(srv.endpoint, lab.options);
    await t.put("/var/tmp/big", enc.encode("old\n"), "0644");
    await t.close();
    // The ssh client is killed by the call's time limit while the bytes are still streaming: 1 GiB
    // cannot cross ssh (and be hashed on the far side) in one second on these machines; 64 MiB in
    // 1.5 s finished in time on an idle machine and the write was not cut.
    const k = await SshTransport.open(srv.endpoint, { ...lab.options, defaultTimeoutMs: 1000 });
    const big = new Uint8Array(1024 * 1024 * 1024).fill(120);
    const err = await k.put("/var/tmp/big", big, "0644").then(
      () => undefined,
      (e) => e,
    );
    await k.close();
    expect(err).toMatchObject({ code: "PLB795" });
    expect(srv.sh("cat /var/tmp/big").stdout).toBe("old\n");
    // The remote side found the stream short and removed its temporary file.
    // (Polled: the far side notices the cut stream once sshd closes it.)
    for (let i = 0; i < 40 && srv.sh("ls -A /var/tmp").stdout !== "big\n"; i++)
      await new Promise((r) => setTimeout(r, 500));
    expect(srv.sh("ls -A /var/tmp").stdout).toBe("big\n");
  }, 120_000);

  it("two bootstraps of a fresh server at once both succeed and leave one consistent state", async () => {
    const fresh = await lab.server(12);
    const [a, b] = await Promise.all([
      SshTransport.open(fresh.endpoint, lab.options),
      SshTransport.open(fresh.endpoint, {
        ...lab.options,
        sshDir: join(lab.dir, "other/.plumb/ssh"),
      }),
    ]);
    try {
      const outcomes = await Promise.all([ensureBootstrap(a, files), ensureBootstrap(b, files)]);
      expect(outcomes.every((o) => o === "installed" || o === "updated" || o === "current")).toBe(
        true,
      );
    } finally {
      await a.close();
      await b.close();
    }
    expect(fresh.sh("cat /var/lib/plumb/state").stdout).toBe(`${kit.keyring.version} 0\n`);
    expect(fresh.sh("cat /etc/plumb/trust/policy").stdout).toBe(files.policy);
    expect(fresh.sh("ls -A /etc/plumb/trust").stdout.split("\n").filter(Boolean).sort()).toEqual([
      "allowed_signers",
      "plumb-verify",
      "policy",
      "revoked_keys",
    ]);
  }, 120_000);

  it("an unreachable server is 'unreachable' within the connect limit", async () => {
    const t0 = Date.now();
    const state = await readServerContractState(
      "nobody-home",
      { ...srv.endpoint, address: `${lab.net}.99` },
      { ...lab.options, connectTimeoutS: 2 },
    );
    expect(state).toBe("unreachable");
    expect(Date.now() - t0).toBeLessThan(10_000);
  }, 30_000);

  it("hostile words and paths reach the server verbatim, never a shell unquoted", async () => {
    const words = [
      "$(touch /tmp/pwned)",
      "`touch /tmp/pwned`",
      "; touch /tmp/pwned",
      "it's",
      "*",
      "a\nb",
      "-rf",
    ];
    const t = await SshTransport.open(srv.endpoint, lab.options);
    try {
      const r = await t.run(["printf", "%s|", ...words]);
      expect(r.stdout).toBe(`${words.join("|")}|`);
      const path = "/tmp/we ird'$(touch /tmp/pwned)/f;x";
      await t.put(path, enc.encode("ok"), "0600");
      expect((await t.run(["cat", "--", path])).stdout).toBe("ok");
      await expect(
        recordContractHash(t, "x'; touch /tmp/pwned; '", `sha256:${"e".repeat(64)}`),
      ).rejects.toMatchObject({
        code: "PLB999",
      });
    } finally {
      await t.close();
    }
    expect(srv.sh("test -e /tmp/pwned").code).not.toBe(0);
  });
});
