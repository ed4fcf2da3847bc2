// --key <file> | --agent [--fingerprint fp]: the signer for `plumb keys sign-keyring` and
// `plumb contract sign`. Agent keys never leave the agent.
import { resolve } from "node:path";
import { PlumbError } from "../core/errors.js";
import { readPrivateKeyFile } from "../core/signing/key-files.js";
import { fingerprint } from "../core/signing/public-key.js";
import { keySigner, type Signer } from "../core/signing/signer.js";
import { agentSigner, SshAgentClient } from "../core/signing/ssh-agent.js";
import type { OptionSpec, ParsedValues } from "./spec.js";

export const SIGNER_OPTIONS: Record<string, OptionSpec> = {
  key: {
    type: "string",
    valueName: "file",
    description: "Unencrypted OpenSSH Ed25519 private key file",
  },
  agent: { type: "boolean", description: "Sign through ssh-agent ($SSH_AUTH_SOCK)" },
  fingerprint: {
    type: "string",
    valueName: "SHA256:…",
    description: "With --agent: which agent key (default: the only Ed25519 key)",
  },
};

export async function signerFrom(
  values: ParsedValues,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<Signer> {
  if (typeof values.key === "string")
    return keySigner(readPrivateKeyFile(resolve(cwd, values.key)));
  if (values.agent === true) {
    const socket = env.SSH_AUTH_SOCK;
    if (!socket)
      throw new PlumbError("PLB886", "--agent needs SSH_AUTH_SOCK", {
        hint: "start ssh-agent and ssh-add your key",
      });
    const client = await SshAgentClient.connect({ socketPath: socket });
    try {
      const ids = (await client.identities()).filter((i) => i.publicKey !== undefined);
      const want = values.fingerprint as string | undefined;
      const chosen = want
        ? ids.find((i) => i.publicKey && fingerprint(i.publicKey) === want)
        : ids.length === 1
          ? ids[0]
          : undefined;
      if (!chosen?.publicKey) {
        throw new PlumbError(
          "PLB886",
          want ? `the agent holds no key ${want}` : `the agent holds ${ids.length} Ed25519 keys`,
          { hint: "choose one with --fingerprint SHA256:…" },
        );
      }
      return await agentSigner(chosen.publicKey, { socketPath: socket });
    } finally {
      client.close();
    }
  }
  throw new PlumbError("PLB886", "no signing key given", {
    hint: "pass --key <private key file> or --agent",
  });
}
