// The delivery engine against a real target: an Incus container from the Debian test image,
// reached through the Incus transport, bootstrapped by ensureBootstrap, receiving the repository's
// own motd contract. Success (journal, live config key, the file), a failing proof (log tail,
// on_failure stop|continue), and each refusal of the target-side verifier recorded FAILED with its
// code: unsigned, expired, wrong target, tampered, replayed.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRepoTemplates } from "../../cli/templates-kit.js";
import type { TemplateManifest } from "../../core/model/template.js";
import { generateEd25519Key } from "../../core/signing/openssh-private-key.js";
import { keySigner } from "../../core/signing/signer.js";
import { newKeyring } from "../../core/trust/keyring.js";
import { targetTrustFiles } from "../../core/trust/target-files.js";
import type { TemplateSource } from "../../generators/contract/hfc.js";
import { ContractSandbox } from "../../reconcilers/contract/sandbox.js";
import { ensureBootstrap } from "../../reconcilers/delivery/bootstrap.js";
import {
  type DeliveryDeps,
  type DeliveryOptions,
  deliverContracts,
} from "../../reconcilers/delivery/deliver.js";
import { IncusTransport } from "../../reconcilers/delivery/incus-transport.js";
import { readJournal } from "../../reconcilers/delivery/journal.js";
import type { TargetTransport } from "../../reconcilers/delivery/transport.js";
import { ApiClient } from "../../reconcilers/drivers/incus/api-client.js";
import { connectIncus, defaultSocketPath } from "../../reconcilers/drivers/incus/connect.js";
import { UnixSocketTransport } from "../../reconcilers/drivers/incus/transport.js";
import type { ContractChange } from "../../reconcilers/plan/contract-change.js";
import { contractRun } from "../kit/contract-change.js";
import { HAVE_INCUS } from "../kit/trust-target.js";

const REPO = join(import.meta.dirname, "..", "..");
const MACHINE = "web-1";
const key = generateEd25519Key("alice");
const keyring = newKeyring("acme", key.publicKey, "alice", "2099-01-01T00:00:00Z");
const OPTIONS: DeliveryOptions = {
  run: "it",
  parallelism: 2,
  timeoutMs: 60_000,
  onFailure: "stop",
};

function change(name: string, hash = `sha256:${name}-${Date.now()}`): ContractChange {
  return contractRun({ machine: MACHINE, project: "default", name, template: "motd@1.1.0", hash });
}

describe.skipIf(!HAVE_INCUS)(
  "contract delivery to a real Incus container",
  { timeout: 300_000 },
  () => {
    const driver = connectIncus({ kind: "unix" }, {}, process.env);
    const api = new ApiClient(new UnixSocketTransport(defaultSocketPath(process.env)));
    let box: ContractSandbox;
    let motd: TemplateSource;
    let broken: TemplateSource;
    let root: string;

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), "plumb-deliver-it-"));
      const checked = await checkRepoTemplates(REPO);
      motd = checked.templates.find((t) => t.manifest.slug === "motd") as TemplateSource;
      expect(motd).toBeDefined();
      broken = {
        ...motd,
        manifest: {
          ...motd.manifest,
          proofs: [{ file_contains: { path: "/etc/motd", text: "a line that is never there" } }],
        } as TemplateManifest,
      };
      box = await ContractSandbox.launch(
        { driver, api, project: "default" },
        "plumb-debian",
        "plumb-dl",
      );
    });
    afterAll(async () => {
      await box?.destroy();
      driver.close();
      api.transport.close();
    });

    const transport = () =>
      new IncusTransport({ api, project: "default", instance: box.name, machine: MACHINE });
    function deps(over: Partial<DeliveryDeps> = {}): DeliveryDeps {
      return {
        root,
        keyring,
        signers: [keySigner(key)],
        gitCommit: null,
        template: (c) => (c.name.startsWith("broken") ? broken : motd),
        inputs: () => ({ values: { banner: "Hello from delivery", owner: "ops" }, secrets: [] }),
        transport: async () => transport(),
        bootstrap: (t) => ensureBootstrap(t, targetTrustFiles(keyring)),
        recordLive: async (c, t) =>
          (t as IncusTransport).setConfig(`user.plumb.contract.${c.name}`, c.hash),
        ...over,
      };
    }
    const journalOf = (name: string) =>
      readJournal(root, MACHINE).filter((r) => r.contract === name);

    it("delivers motd: SUCCESS in the journal, the live hash in the instance config, the file on the target", async () => {
      const c = change("motd");
      const [r] = await deliverContracts([c], deps(), OPTIONS);
      expect(r, JSON.stringify(readJournal(root, MACHINE))).toMatchObject({
        status: "SUCCESS",
        exit: 0,
      });
      expect(journalOf("motd").map((x) => x.status)).toEqual(["PENDING", "CLAIMED", "SUCCESS"]);
      const success = journalOf("motd")[2];
      expect(success?.proofs?.every((p) => p.ok === true)).toBe(true);
      const inst = await driver.getInstance("default", box.name);
      expect(inst.value.config["user.plumb.contract.motd"]).toBe(c.hash);
      const t = transport();
      expect((await t.run(["cat", "/etc/motd"])).stdout).toContain("Hello from delivery");
      // The bundle (which may hold resolved secrets) is gone from the run directory.
      expect((await t.run(["sh", "-c", "ls -A /var/lib/plumb/run"])).stdout.trim()).toBe("");
    });

    it("a failing proof is FAILED PLB779 with the log tail; on_failure stop leaves the next run unstarted", async () => {
      const results = await deliverContracts([change("broken"), change("motd-after")], deps(), {
        ...OPTIONS,
        onFailure: "stop",
      });
      expect(results.map((r) => [r.contract, r.status, r.code])).toEqual([
        ["broken", "FAILED", "PLB779"],
        ["motd-after", "FAILED", "PLB783"],
      ]);
      const failed = journalOf("broken").at(-1);
      expect(failed?.exit).toBe(1);
      expect(failed?.log_tail?.join("\n")).toMatch(/FAILED \[proofs step \d+\]/);
      expect(failed?.proofs?.some((p) => p.ok === false)).toBe(true);
      expect(journalOf("motd-after").map((x) => x.status)).toEqual(["FAILED"]);
      const inst = await driver.getInstance("default", box.name);
      expect(inst.value.config["user.plumb.contract.broken"]).toBeUndefined();
    });

    it("on_failure continue runs the rest after a failure", async () => {
      const results = await deliverContracts([change("broken2"), change("motd-cont")], deps(), {
        ...OPTIONS,
        onFailure: "continue",
      });
      expect(results.map((r) => [r.contract, r.status, r.code])).toEqual([
        ["broken2", "FAILED", "PLB779"],
        ["motd-cont", "SUCCESS", undefined],
      ]);
    });

    it("unsigned: refused by the verifier, FAILED PLB877", async () => {
      const [r] = await deliverContracts([change("unsigned")], deps({ signers: [] }), OPTIONS);
      expect(r).toMatchObject({ status: "FAILED", code: "PLB877" });
    });

    it("expired: FAILED PLB880", async () => {
      const past = new Date(Date.now() - 3 * 3_600_000);
      const [r] = await deliverContracts([change("expired")], deps({ now: () => past }), OPTIONS);
      expect(r).toMatchObject({ status: "FAILED", code: "PLB880" });
    });

    it("wrong target (a bundle for web-1 handed to another machine's verifier): FAILED PLB879", async () => {
      const elsewhere = async (): Promise<TargetTransport> => {
        const t = transport();
        return {
          machine: t.machine,
          kind: t.kind,
          put: (p, b, m) => t.put(p, b, m),
          run: (argv, o) =>
            t.run(
              argv.map((a, i) => (argv[i - 1] === "--target" ? "web-2" : a)),
              o,
            ),
          close: () => t.close(),
        };
      };
      const [r] = await deliverContracts(
        [change("wrong")],
        deps({ transport: elsewhere }),
        OPTIONS,
      );
      expect(r).toMatchObject({ status: "FAILED", code: "PLB879" });
    });

    it("tampered in transit (contract.sh changed after signing): FAILED PLB882, nothing ran", async () => {
      const tamper = async (): Promise<TargetTransport> => {
        const t = transport();
        return {
          machine: t.machine,
          kind: t.kind,
          put: (p, b, m) =>
            t.put(
              p,
              p.endsWith("/contract.sh")
                ? new TextEncoder().encode(`${Buffer.from(b)}\ntouch /tmp/pwned\n`)
                : b,
              m,
            ),
          run: (argv, o) => t.run(argv, o),
          close: () => t.close(),
        };
      };
      const [r] = await deliverContracts(
        [change("tampered")],
        deps({ transport: tamper }),
        OPTIONS,
      );
      expect(r).toMatchObject({ status: "FAILED", code: "PLB882" });
      expect((await transport().run(["test", "-e", "/tmp/pwned"])).code).not.toBe(0);
    });

    it("replayed (a sequence not above the target's mark): FAILED PLB883", async () => {
      // A run signed a few minutes ahead raises the target's mark above every seq signed now.
      const ahead = new Date(Date.now() + 4 * 60_000);
      const [first] = await deliverContracts(
        [change("ahead")],
        deps({ now: () => ahead }),
        OPTIONS,
      );
      expect(first?.status).toBe("SUCCESS");
      const [r] = await deliverContracts([change("replayed")], deps(), OPTIONS);
      expect(r).toMatchObject({ status: "FAILED", code: "PLB883" });
      expect(journalOf("replayed").map((x) => x.status)).toEqual(["PENDING", "FAILED"]);
    });
  },
);
