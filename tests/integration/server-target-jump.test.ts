// A `type: server` behind a bastion: the server sits on a bridge this host has no address on, the
// bastion (a second plumb-debian-ssh container) has a leg on both. plumb reaches the server with
// ProxyJump, pins its key only when the fingerprint is the declared one (the bastion runs the
// ssh-keyscan; it is not trusted for the answer), bootstraps it and reuses one connection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { targetTrustFiles } from "../../core/trust/target-files.js";
import { ensureBootstrap } from "../../reconcilers/delivery/bootstrap.js";
import { SshTransport } from "../../reconcilers/delivery/ssh/transport.js";
import { trustKit } from "../kit/trust-target.js";
import { skip } from "./reconcile-kit.js";
import { haveSshImage, type SshLab, type SshServer, sshLab } from "./server-target-kit.js";

// CI always runs it (scripts/test.sh builds the image): a missing image fails there, never skips.
const ready = !skip && (haveSshImage() || Boolean(process.env.CI));
const why = ready
  ? ""
  : " (skipped: no Incus or no plumb-debian-ssh image; scripts/incus-sandbox.sh up --with-ssh)";

describe.skipIf(!ready)(`server target behind a jump host${why}`, () => {
  let lab: SshLab;
  let bastion: SshServer;
  let hidden: SshServer;

  beforeAll(async () => {
    lab = sshLab();
    bastion = await lab.server(20, { alsoHidden: 20 });
    lab.trustAsBastion(bastion);
    hidden = await lab.server(30, { hidden: true });
  }, 180_000);
  afterAll(() => lab?.destroy());

  it("the server is not reachable from here without the bastion", async () => {
    const t0 = Date.now();
    await expect(
      SshTransport.open(hidden.endpoint, { ...lab.options, connectTimeoutS: 2 }),
    ).rejects.toMatchObject({ code: "PLB792" });
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 30_000);

  it("through the bastion: key pinned, bootstrap, commands, one connection to the server", async () => {
    const endpoint = { ...hidden.endpoint, jump: `root@${bastion.endpoint.address}` };
    const before = hidden.logins();
    const t = await SshTransport.open(endpoint, lab.options);
    try {
      const files = targetTrustFiles(trustKit("acme").keyring, "f".repeat(64));
      expect(await ensureBootstrap(t, files)).toBe("installed");
      expect(await ensureBootstrap(t, files)).toBe("current");
      const r = await t.run(["cat", "/proc/sys/kernel/hostname"]);
      expect(r.stdout.trim()).toBe(hidden.container);
    } finally {
      await t.close();
    }
    expect(hidden.logins() - before).toBe(1);
    expect(hidden.sh("stat -c '%U %a' /etc/plumb/trust/plumb-verify").stdout).toBe("root 755\n");
  }, 60_000);

  it("through the bastion, a server key other than the declared one is refused before login", async () => {
    const endpoint = {
      ...hidden.endpoint,
      machine: `${hidden.container}-x`,
      jump: `root@${bastion.endpoint.address}`,
      hostKey: bastion.endpoint.hostKey, // a real key, but not this server's
    };
    const before = hidden.logins();
    const err = await SshTransport.open(endpoint, lab.options).catch((e) => e);
    expect(err).toMatchObject({ code: "PLB790" });
    expect(err.message).toContain(hidden.endpoint.hostKey);
    expect(hidden.logins()).toBe(before);
  }, 60_000);
});
