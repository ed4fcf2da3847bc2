// The delivery engine to a `type: server` target over a real Debian sshd (plumb-debian-ssh on an
// isolated test bridge): the repository's own motd contract forged, signed, bootstrapped,
// verified and run by plumb-verify over SSH, its hash recorded and read back as the server's live
// state; a host key mismatch recorded FAILED with PLB790 and nothing sent.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRepoTemplates } from "../../cli/templates-kit.js";
import { generateEd25519Key } from "../../core/signing/openssh-private-key.js";
import { keySigner } from "../../core/signing/signer.js";
import { newKeyring } from "../../core/trust/keyring.js";
import { targetTrustFiles } from "../../core/trust/target-files.js";
import type { TemplateSource } from "../../generators/contract/hfc.js";
import { ensureBootstrap } from "../../reconcilers/delivery/bootstrap.js";
import { type DeliveryDeps, deliverContracts } from "../../reconcilers/delivery/deliver.js";
import { readJournal } from "../../reconcilers/delivery/journal.js";
import {
  readServerContractState,
  recordContractHash,
} from "../../reconcilers/delivery/ssh/state.js";
import { SshTransport } from "../../reconcilers/delivery/ssh/transport.js";
import type { ContractChange } from "../../reconcilers/plan/contract-change.js";
import { skip } from "./reconcile-kit.js";
import { haveSshImage, type SshLab, type SshServer, sshLab } from "./server-target-kit.js";

const ready = !skip && (haveSshImage() || Boolean(process.env.CI));
const why = ready
  ? ""
  : " (skipped: no Incus or no plumb-debian-ssh image; scripts/incus-sandbox.sh up --with-ssh)";
const REPO = join(import.meta.dirname, "..", "..");
const key = generateEd25519Key("alice");
const keyring = newKeyring("acme", key.publicKey, "alice", "2099-01-01T00:00:00Z");

describe.skipIf(!ready)(
  `contract delivery to a server over SSH${why}`,
  { timeout: 300_000 },
  () => {
    let lab: SshLab;
    let srv: SshServer;
    let motd: TemplateSource;
    let root: string;

    beforeAll(async () => {
      lab = sshLab();
      srv = await lab.server(10);
      root = mkdtempSync(join(tmpdir(), "plumb-deliver-ssh-"));
      const checked = await checkRepoTemplates(REPO);
      motd = checked.templates.find((t) => t.manifest.slug === "motd") as TemplateSource;
      expect(motd).toBeDefined();
    }, 180_000);
    afterAll(() => {
      lab?.destroy();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    const change = (machine: string, hash: string): ContractChange => ({
      machine,
      domain: "legacy",
      targetKind: "server",
      name: "motd",
      template: `motd@${motd.manifest.version}`,
      hash,
      liveHash: null,
      action: "run",
      reason: "new",
      risk: "low",
      consent: "NONE",
      roles: [],
      inputs: {},
    });
    const deps = (endpoint = srv.endpoint): DeliveryDeps => ({
      root,
      keyring,
      signers: [keySigner(key)],
      gitCommit: null,
      template: () => motd,
      inputs: () => ({ values: { banner: "Hello over ssh $(id)", owner: "ops" }, secrets: [] }),
      transport: () => SshTransport.open(endpoint, lab.options),
      bootstrap: (t) => ensureBootstrap(t, targetTrustFiles(keyring)),
      recordLive: (c, t) => recordContractHash(t, c.name, c.hash),
    });
    const options = {
      run: "it-ssh",
      parallelism: 2,
      timeoutMs: 120_000,
      onFailure: "stop" as const,
    };

    it("delivers motd: SUCCESS, the file on the server, the hash read back as live state, one login", async () => {
      const hash = `sha256:${"1".repeat(64)}`;
      const before = srv.logins();
      const [r] = await deliverContracts([change(srv.endpoint.machine, hash)], deps(), options);
      expect(r, JSON.stringify(readJournal(root, srv.endpoint.machine))).toMatchObject({
        status: "SUCCESS",
        exit: 0,
      });
      expect(
        readJournal(root, srv.endpoint.machine)
          .filter((x) => x.contract === "motd")
          .map((x) => x.status),
      ).toEqual(["PENDING", "CLAIMED", "SUCCESS"]);
      expect(srv.sh("cat /etc/motd").stdout).toContain("Hello over ssh $(id)");
      expect(srv.logins() - before).toBe(1);
      const state = await readServerContractState(srv.endpoint.machine, srv.endpoint, lab.options);
      expect(state).toEqual({ motd: hash });
    });

    it("a host key mismatch is recorded FAILED with PLB790 and nothing reaches the server", async () => {
      const machine = `${srv.endpoint.machine}-mitm`;
      const wrong = { ...srv.endpoint, machine, hostKey: `SHA256:${"M".repeat(43)}` };
      const before = srv.logins();
      const [r] = await deliverContracts(
        [change(machine, `sha256:${"2".repeat(64)}`)],
        deps(wrong),
        options,
      );
      expect(r).toMatchObject({ status: "FAILED", code: "PLB790" });
      expect(readJournal(root, machine).map((x) => [x.status, x.code])).toEqual([
        ["PENDING", undefined],
        ["FAILED", "PLB790"],
      ]);
      expect(srv.logins()).toBe(before);
    });
  },
);
