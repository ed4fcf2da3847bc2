// Signing through a real ssh-agent started by the test (never the developer's own agent).
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentError } from "./errors.js";
import { readPrivateKeyFile, readPublicKeyFile } from "./key-files.js";
import { generateEd25519Key } from "./openssh-private-key.js";
import { fingerprint, formatPublicKey, type SshPublicKey } from "./public-key.js";
import { agentSigner, SshAgentClient } from "./ssh-agent.js";
import { signSshsig, verifySshsig } from "./sshsig.js";
import {
  type Agent,
  run,
  type Sandbox,
  sandbox,
  sshKeygenKey,
  sshKeygenSign,
  sshKeygenVerify,
  startAgent,
} from "./test-kit.js";

const NS = "contract-manifest-v1@plumb.test";
const msg = new TextEncoder().encode("signed through the agent\n");

let box: Sandbox;
let agent: Agent;
let pub: SshPublicKey;

beforeAll(async () => {
  box = sandbox();
  agent = await startAgent(box);
  const path = sshKeygenKey(box, "agentkey", "hw@plumb.test");
  const add = run(box, "ssh-add", [path], undefined, { SSH_AUTH_SOCK: agent.socket });
  expect(add.status, add.stderr).toBe(0);
  // Also an RSA key, which the agent lists but plumbline cannot sign with.
  run(box, "ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", "rsa"]);
  run(box, "ssh-add", [box.path("rsa")], undefined, { SSH_AUTH_SOCK: agent.socket });
  pub = readPublicKeyFile(`${path}.pub`);
});
afterAll(async () => {
  await agent.stop();
  box.remove();
});

async function agentError(p: Promise<unknown>): Promise<AgentError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AgentError);
    return e as AgentError;
  }
  throw new Error("expected an AgentError");
}

describe("ssh-agent signer", () => {
  it("lists the agent's identities like ssh-add -L", async () => {
    const client = await SshAgentClient.connect({ socketPath: agent.socket });
    try {
      const ids = await client.identities();
      expect(ids.map((i) => i.type).sort()).toEqual(["ssh-ed25519", "ssh-rsa"]);
      const ed = ids.find((i) => i.publicKey !== undefined);
      expect(ed?.publicKey && fingerprint(ed.publicKey)).toBe(fingerprint(pub));
      const listed = run(box, "ssh-add", ["-L"], undefined, { SSH_AUTH_SOCK: agent.socket });
      expect(listed.stdout).toContain(formatPublicKey(pub, ""));
    } finally {
      client.close();
    }
  });

  it("signs through the agent; ssh-keygen -Y verify accepts the signature", async () => {
    // Arrange
    const signer = await agentSigner(pub, { socketPath: agent.socket });
    try {
      // Act
      const sig = await signSshsig(msg, NS, signer);
      // Assert
      const r = sshKeygenVerify(box, {
        allowedSigners: `hw@plumb.test ${formatPublicKey(pub)}\n`,
        principal: "hw@plumb.test",
        namespace: NS,
        signature: sig,
        message: msg,
      });
      expect(r.status, r.stderr).toBe(0);
      // the agent's signature is the file key's signature (Ed25519 is deterministic)
      expect(sig).toBe(sshKeygenSign(box, box.path("agentkey"), NS, msg));
    } finally {
      signer.close();
    }
  });

  it("serves many sequential and concurrent signatures over one connection", async () => {
    const signer = await agentSigner(pub, { socketPath: agent.socket });
    try {
      const messages = Array.from({ length: 20 }, (_, i) => new TextEncoder().encode(`m${i}`));
      const sigs = await Promise.all(messages.map((m) => signSshsig(m, NS, signer)));
      sigs.forEach((s, i) => {
        expect(() => verifySshsig(s, messages[i] as Uint8Array, NS, pub)).not.toThrow();
      });
    } finally {
      signer.close();
    }
  });

  it("verifies what ssh-keygen -Y sign produced through the agent (public key given to -f)", () => {
    const sig = sshKeygenSign(box, box.path("agentkey.pub"), NS, msg, [], {
      SSH_AUTH_SOCK: agent.socket,
    });
    expect(
      verifySshsig(sig, msg, NS, readPrivateKeyFile(box.path("agentkey")).publicKey).namespace,
    ).toBe(NS);
  });

  it("refuses a key the agent does not hold (PLB806) before signing anything", async () => {
    const e = await agentError(
      agentSigner(generateEd25519Key().publicKey, { socketPath: agent.socket }),
    );
    expect(e.code).toBe("PLB806");
  });

  it("reports a missing or unreachable agent as PLB805", async () => {
    const saved = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      expect((await agentError(agentSigner(pub))).code).toBe("PLB805");
    } finally {
      if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
    }
    const gone = await agentError(agentSigner(pub, { socketPath: box.path("no-such.sock") }));
    expect(gone.code).toBe("PLB805");
  });

  it("reports an agent refusal (SSH_AGENT_FAILURE) and malformed replies as PLB807", async () => {
    // A fake agent: lists our key, then answers the sign request with FAILURE or garbage.
    const replies = [Uint8Array.of(5), Uint8Array.of(14, 0, 0, 0, 9, 1)];
    const identities = Buffer.concat([
      Buffer.from([12, 0, 0, 0, 1]),
      lengthPrefixed(Buffer.from(pubBlob())),
      lengthPrefixed(Buffer.from("fake")),
    ]);
    for (const reply of replies) {
      const sock = box.path(`fake-${reply.length}.sock`);
      const server = await fakeAgent(sock, [identities, Buffer.from(reply)]);
      try {
        const signer = await agentSigner(pub, { socketPath: sock, timeoutMs: 2000 });
        try {
          expect((await agentError(signSshsig(msg, NS, signer))).code).toBe("PLB807");
        } finally {
          signer.close();
        }
      } finally {
        server.close();
      }
    }
  });

  it("times out on an agent that never answers (PLB807)", async () => {
    const sock = box.path("silent.sock");
    const server = await fakeAgent(sock, []);
    try {
      const e = await agentError(agentSigner(pub, { socketPath: sock, timeoutMs: 200 }));
      expect(e.code).toBe("PLB807");
    } finally {
      server.close();
    }
  });
});

function pubBlob(): Uint8Array {
  const b64 = formatPublicKey(pub, "").split(" ")[1] as string;
  return Buffer.from(b64, "base64");
}

function lengthPrefixed(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** Answers the n-th request with the n-th reply (framed); silent after the list runs out. */
function fakeAgent(path: string, replies: Buffer[]): Promise<Server> {
  const server = createServer((conn) => {
    let n = 0;
    conn.on("data", () => {
      const reply = replies[n++];
      if (reply !== undefined) conn.write(lengthPrefixed(reply));
    });
    conn.on("error", () => undefined);
  });
  return new Promise((resolve) => server.listen(path, () => resolve(server)));
}
