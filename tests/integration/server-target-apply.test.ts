// `plumb apply` (the built CLI) delivers a `type: server` machine's contract over SSH to a real
// Debian sshd (plumb-debian-ssh on an isolated test bridge): the plan lists the run, apply forges,
// signs, bootstraps, verifies and runs it, `plumb contracts status` shows SUCCESS, and the next
// plan and apply do nothing for it (the live hash is read back from the server).
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BASE,
  cleanupPrefix,
  driver,
  plumb,
  skip,
  tempRepo,
  uniquePrefix,
} from "./reconcile-kit.js";
import { haveSshImage, type SshLab, type SshServer, sshLab } from "./server-target-kit.js";

const ready = !skip && (haveSshImage() || Boolean(process.env.CI));
const why = ready
  ? ""
  : " (skipped: no Incus or no plumb-debian-ssh image; scripts/incus-sandbox.sh up --with-ssh)";
const REPO = join(import.meta.dirname, "..", "..");
const p = uniquePrefix();

describe.skipIf(!ready)(
  `plumb apply delivers to a server over SSH${why}`,
  { timeout: 600_000 },
  () => {
    let lab: SshLab;
    let srv: SshServer;
    let dir: string;
    const env = () => ({ HOME: dir, PLUMB_SSH_CONFIG: join(lab.dir, "ssh_config") });
    const run = async (args: string[]) => {
      const r = await plumb(args, dir, env());
      return r;
    };
    const serverContracts = async () => {
      const r = await run(["plan", "--json"]);
      expect([0, 2], `${r.stderr}${r.stdout}`).toContain(r.code);
      return (
        JSON.parse(r.stdout).contracts as { machine: string; action: string; reason: string }[]
      ).filter((c) => c.machine === srv.container);
    };

    beforeAll(async () => {
      lab = sshLab();
      srv = await lab.server(10, { name: `${p}-db` });
      dir = tempRepo({
        "infra.yml": `${BASE(p)}domains:\n  ${p}:\n    machines:\n      ${p}-db:\n        type: server\n        address: ${srv.endpoint.address}\n        ssh: {host_key: "${srv.endpoint.hostKey}"}\n        contracts:\n          - {template: motd, inputs: {banner: "delivered by apply", owner: ops}}\n`,
      });
      cpSync(join(REPO, "templates"), join(dir, "templates"), { recursive: true });
      cpSync(join(REPO, "templates.lock"), join(dir, "templates.lock"));
      for (const args of [
        ["keys", "generate", "--out", join(dir, "k1")],
        ["keys", "init", "--pub", join(dir, "k1.pub"), "--org", "acme", "--principal", "alice"],
        ["keys", "sign-keyring", "--key", join(dir, "k1")],
        ["templates", "sign", "--key", join(dir, "k1")],
      ]) {
        const r = await run(args);
        expect(r.code, r.stderr).toBe(0);
      }
    }, 180_000);
    afterAll(async () => {
      const d = driver();
      await cleanupPrefix(d, p).catch(() => undefined);
      d.close();
      lab?.destroy();
    });

    it("plans the run, delivers it at apply, then does nothing the second time", async () => {
      expect(await serverContracts()).toMatchObject([{ action: "run", reason: "new" }]);
      const before = srv.logins();
      const a = await run([
        "apply",
        "--yes",
        "--sign-key",
        join(dir, "k1"),
        "--lock-timeout",
        "120",
      ]);
      expect(a.code, `${a.stderr}${a.stdout}`).toBe(0);
      expect(srv.sh("cat /etc/motd").stdout).toContain("delivered by apply");
      expect(srv.sh("cat /var/lib/plumb/contracts/motd.hash").stdout).toMatch(
        /^sha256:[0-9a-f]{64}\n$/,
      );
      // Apply reads the server's state while planning (one short connection per plan; it plans, then
      // re-plans after the Incus changes) and delivers over one connection — bootstrap, the bundle,
      // plumb-verify and the live hash, over a dozen ssh calls, share it.
      expect(srv.logins() - before).toBeLessThanOrEqual(3);
      const st = await run(["contracts", "status", "--machine", srv.container, "--json"]);
      expect(st.code, st.stderr).toBe(0);
      expect(st.stdout).toContain("SUCCESS");

      expect(await serverContracts()).toMatchObject([{ action: "none", reason: "up to date" }]);
      const journal = join(dir, ".plumb", "journal", `${srv.container}.jsonl`);
      const lines = readFileSync(journal, "utf8").split("\n").filter(Boolean).length;
      expect(lines).toBe(3); // PENDING, CLAIMED, SUCCESS
      const again = await run([
        "apply",
        "--yes",
        "--sign-key",
        join(dir, "k1"),
        "--lock-timeout",
        "120",
      ]);
      expect(again.code, again.stderr).toBe(0);
      // Nothing was sent the second time: no new journal transition.
      expect(readFileSync(journal, "utf8").split("\n").filter(Boolean).length).toBe(lines);
    });
  },
);
