// Test kit for the trust chain: a keyring and signed contract bundles made with the library
// (no CLI), and a real target: an ephemeral Incus container from the `plumb-debian` image with
// the exported trust files and plumb-verify installed, as `plumb target bootstrap` would.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import {
  generateEd25519Key,
  type OpensshPrivateKey,
} from "../../core/signing/openssh-private-key.js";
import { keySigner } from "../../core/signing/signer.js";
import { signSshsig } from "../../core/signing/sshsig.js";
import { type Keyring, namespaceFor, newKeyring } from "../../core/trust/keyring.js";
import { buildManifest, type ContractManifest } from "../../core/trust/manifest.js";
import { targetTrustFiles } from "../../core/trust/target-files.js";
import type { Bundle } from "../../core/trust/verify.js";
import { ContractSandbox } from "../../reconcilers/contract/sandbox.js";
import { ApiClient } from "../../reconcilers/drivers/incus/api-client.js";
import { connectIncus, defaultSocketPath } from "../../reconcilers/drivers/incus/connect.js";
import { UnixSocketTransport } from "../../reconcilers/drivers/incus/transport.js";

export const HAVE_INCUS = existsSync(process.env.INCUS_SOCKET ?? "/var/lib/incus/unix.socket");
export const TRUST_DIR = "/etc/plumb/trust";
const enc = new TextEncoder();
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

export interface TrustKit {
  readonly key: OpensshPrivateKey;
  readonly keyring: Keyring;
  bundle(o: { target: string; seq: number; script: string }): Promise<Bundle>;
}

export function trustKit(org = "acme"): TrustKit {
  const key = generateEd25519Key("alice");
  const keyring = newKeyring(org, key.publicKey, "alice", "2099-01-01T00:00:00Z");
  return {
    key,
    keyring,
    async bundle({ target, seq, script }) {
      const s = enc.encode(script);
      const hfc = enc.encode(`{"test":${seq}}\n`);
      const m: ContractManifest = {
        type: "plumb-contract-manifest",
        schema: 1,
        contract: `c-${sha256(s).slice(0, 24)}`,
        template: "test@1.0.0",
        target,
        seq,
        keyring_version: keyring.version,
        not_before: "2020-01-01T00:00:00Z",
        expires: "2099-01-01T00:00:00Z",
        subject: { name: "contract.sh", sha256: sha256(s) },
        hfc_sha256: sha256(hfc),
        git_commit: null,
      };
      const manifest = buildManifest(m);
      const sig = await signSshsig(
        manifest,
        namespaceFor("contract-manifest", org),
        keySigner(key),
      );
      return { script: s, hfc, manifest, signatures: [{ name: "a.sig", bytes: enc.encode(sig) }] };
    },
  };
}

/** A running container with the trust files of `keyring` in /etc/plumb/trust. */
export async function launchTarget(
  keyring: Keyring,
  prefix = "plumb-sec",
): Promise<ContractSandbox> {
  const driver = connectIncus({ kind: "unix" }, {}, process.env);
  const api = new ApiClient(new UnixSocketTransport(defaultSocketPath(process.env)));
  const box = await ContractSandbox.launch(
    { driver, api, project: "default" },
    "plumb-debian",
    prefix,
  );
  const destroy = box.destroy.bind(box);
  Object.assign(box, {
    destroy: async () => {
      try {
        await destroy();
      } finally {
        driver.close();
        api.transport.close();
      }
    },
  });
  for (const [name, text] of Object.entries(targetTrustFiles(keyring)))
    await box.push({
      path: `${TRUST_DIR}/${name}`,
      bytes: enc.encode(text),
      mode: name === "plumb-verify" ? "0755" : "0644",
    });
  return box;
}

export async function pushBundle(box: ContractSandbox, dir: string, b: Bundle): Promise<void> {
  await box.push({ path: `${dir}/contract.sh`, bytes: b.script, mode: "0644" });
  await box.push({ path: `${dir}/hfc.json`, bytes: b.hfc, mode: "0644" });
  await box.push({ path: `${dir}/manifest.json`, bytes: b.manifest, mode: "0644" });
  for (const s of b.signatures)
    await box.push({ path: `${dir}/signatures/${s.name}`, bytes: s.bytes, mode: "0644" });
}

/** The plumb-verify command line for a bundle directory inside the target. */
export function verifyArgv(dir: string, target: string, extra: string[] = []): string[] {
  return [
    "bash",
    `${TRUST_DIR}/plumb-verify`,
    "--trust",
    TRUST_DIR,
    "--state",
    "/var/lib/plumb/state",
    "--target",
    target,
    ...extra,
    dir,
  ];
}
