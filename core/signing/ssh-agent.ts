// A minimal ssh-agent client (draft-miller-ssh-agent: list identities, sign) over the unix
// socket in $SSH_AUTH_SOCK. With it, keys held by an agent or a hardware token sign contracts
// without the private key ever being readable by plumbline.
import { createConnection, type Socket } from "node:net";
import { AgentError, SshWireError } from "./errors.js";
import {
  ED25519,
  fingerprint,
  parsePublicKeyBlob,
  publicKeyBlob,
  type SshPublicKey,
} from "./public-key.js";
import type { Signer } from "./signer.js";
import { bytesEqual, SshReader, SshWriter } from "./ssh-wire.js";

const SSH_AGENT_FAILURE = 5;
const SSH2_AGENTC_REQUEST_IDENTITIES = 11;
const SSH2_AGENT_IDENTITIES_ANSWER = 12;
const SSH2_AGENTC_SIGN_REQUEST = 13;
const SSH2_AGENT_SIGN_RESPONSE = 14;
/** OpenSSH's own bound on an agent message (AGENT_MAX_LEN). */
const MAX_MESSAGE_BYTES = 256 * 1024;
/** Long enough for a hardware token waiting for a touch, short enough not to hang CI forever. */
const DEFAULT_TIMEOUT_MS = 60_000;

export interface AgentOptions {
  /** Defaults to $SSH_AUTH_SOCK. */
  readonly socketPath?: string | undefined;
  readonly timeoutMs?: number;
}

export interface AgentIdentity {
  readonly type: string;
  readonly blob: Uint8Array;
  readonly comment: string;
  /** Set for Ed25519 keys, the only ones plumbline can sign with. */
  readonly publicKey: SshPublicKey | undefined;
}

interface Waiter {
  resolve(frame: Uint8Array): void;
  reject(e: Error): void;
}

/** One connection to the agent; requests are sent one at a time, as the protocol requires. */
export class SshAgentClient {
  private buffer: Buffer = Buffer.alloc(0);
  private waiter: Waiter | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private failure: AgentError | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("error", (e) => this.abort(new AgentError("PLB807", `ssh-agent: ${e.message}`)));
    socket.on("close", () =>
      this.abort(new AgentError("PLB807", "ssh-agent closed the connection")),
    );
    // An idle client must not keep the process alive; a pending request's timer does.
    socket.unref();
  }

  static async connect(options: AgentOptions = {}): Promise<SshAgentClient> {
    const path = options.socketPath ?? process.env.SSH_AUTH_SOCK;
    if (path === undefined || path === "") {
      throw new AgentError("PLB805", "SSH_AUTH_SOCK is not set: no ssh-agent to sign with", {
        hint: "start an agent (`eval $(ssh-agent)`) and `ssh-add` the key, or sign with a key file",
      });
    }
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = createConnection({ path });
      s.once("connect", () => resolve(s));
      s.once("error", (e) =>
        reject(
          new AgentError("PLB805", `cannot reach ssh-agent at ${path}: ${e.message}`, {
            cause: e,
            hint: "check SSH_AUTH_SOCK points at a running agent (`ssh-add -l`)",
          }),
        ),
      );
    });
    socket.removeAllListeners("error");
    return new SshAgentClient(socket, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  close(): void {
    this.socket.destroy();
  }

  async identities(): Promise<AgentIdentity[]> {
    const reply = await this.request(SSH2_AGENTC_REQUEST_IDENTITIES, new Uint8Array(0));
    return parseReply("identities answer", reply, SSH2_AGENT_IDENTITIES_ANSWER, (r) => {
      const count = r.uint32();
      // Each identity takes at least 8 bytes; a larger count is a lie, not a reason to loop.
      if (count > r.remaining / 8) throw new SshWireError("truncated", "too many identities");
      const out: AgentIdentity[] = [];
      for (let i = 0; i < count; i++) {
        const blob = Uint8Array.from(r.string());
        const comment = r.text();
        const type = new SshReader(blob, "identity").text();
        out.push({ type, blob, comment, publicKey: ed25519Key(type, blob, comment) });
      }
      return out;
    });
  }

  /** Asks the agent to sign `data` with `key`; returns the SSH signature blob it sends back. */
  async sign(key: SshPublicKey, data: Uint8Array, flags = 0): Promise<Uint8Array> {
    const payload = new SshWriter().string(publicKeyBlob(key)).string(data).uint32(flags).bytes();
    const reply = await this.request(SSH2_AGENTC_SIGN_REQUEST, payload);
    return parseReply("sign response", reply, SSH2_AGENT_SIGN_RESPONSE, (r) =>
      Uint8Array.from(r.string()),
    );
  }

  private request(type: number, payload: Uint8Array): Promise<Uint8Array> {
    const frame = new SshWriter()
      .uint32(payload.length + 1)
      .byte(type)
      .raw(payload)
      .bytes();
    const run = () =>
      new Promise<Uint8Array>((resolve, reject) => {
        if (this.failure !== undefined) return reject(this.failure);
        const timer = setTimeout(() => {
          this.abort(new AgentError("PLB807", `ssh-agent did not answer in ${this.timeoutMs} ms`));
          this.socket.destroy();
        }, this.timeoutMs);
        this.waiter = {
          resolve: (f) => {
            clearTimeout(timer);
            resolve(f);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        this.socket.write(frame);
      });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length < 4) return;
    const length = this.buffer.readUInt32BE(0);
    if (length === 0 || length > MAX_MESSAGE_BYTES) {
      this.abort(new AgentError("PLB807", `ssh-agent sent a message of ${length} bytes`));
      this.socket.destroy();
      return;
    }
    if (this.buffer.length < 4 + length) return;
    const message = new Uint8Array(this.buffer.subarray(4, 4 + length));
    const extra = this.buffer.length - 4 - length;
    this.buffer = Buffer.alloc(0);
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter === undefined || extra !== 0) {
      this.abort(new AgentError("PLB807", "ssh-agent sent a message nobody asked for"));
      this.socket.destroy();
      return;
    }
    waiter.resolve(message);
  }

  private abort(e: AgentError): void {
    this.failure ??= e;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(this.failure);
  }
}

/** An identity the agent lists but we cannot use (other type, odd blob) is kept without a key. */
function ed25519Key(type: string, blob: Uint8Array, comment: string): SshPublicKey | undefined {
  if (type !== ED25519) return undefined;
  try {
    return parsePublicKeyBlob(blob, comment);
  } catch {
    return undefined;
  }
}

function parseReply<T>(
  what: string,
  message: Uint8Array,
  expected: number,
  read: (r: SshReader) => T,
): T {
  const r = new SshReader(message, `ssh-agent ${what}`);
  const type = r.byte();
  if (type === SSH_AGENT_FAILURE) {
    throw new AgentError("PLB807", `ssh-agent refused the request (${what})`, {
      hint: "a confirmation may have been declined or a hardware token not touched; `ssh-add -l` lists the keys",
    });
  }
  if (type !== expected) {
    throw new AgentError("PLB807", `ssh-agent answered message type ${type}, expected ${expected}`);
  }
  try {
    const value = read(r);
    r.end();
    return value;
  } catch (e) {
    if (e instanceof SshWireError) {
      throw new AgentError("PLB807", `malformed ${what}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

export interface AgentSigner extends Signer {
  /** Closes the agent connection. */
  close(): void;
}

/**
 * A Signer for `publicKey` backed by the agent. Fails with PLB806 when the agent does not hold
 * the key, before anything is signed.
 */
export async function agentSigner(
  publicKey: SshPublicKey,
  options: AgentOptions = {},
): Promise<AgentSigner> {
  const client = await SshAgentClient.connect(options);
  try {
    const ids = await client.identities();
    const wanted = publicKeyBlob(publicKey);
    if (!ids.some((id) => bytesEqual(id.blob, wanted))) {
      throw new AgentError("PLB806", `ssh-agent does not hold ${fingerprint(publicKey)}`, {
        hint: `the agent holds ${ids.length} key(s); add this one with \`ssh-add <private-key-file>\``,
      });
    }
  } catch (e) {
    client.close();
    throw e;
  }
  return {
    publicKey,
    close: () => client.close(),
    async sign(data) {
      const blob = await client.sign(publicKey, data);
      try {
        const r = new SshReader(blob, "agent signature");
        const alg = r.text();
        const raw = r.string();
        r.end();
        if (alg !== ED25519 || raw.length !== 64) {
          throw new AgentError(
            "PLB807",
            `ssh-agent returned a ${alg} signature of ${raw.length} bytes`,
          );
        }
        return Uint8Array.from(raw);
      } catch (e) {
        if (e instanceof SshWireError) {
          throw new AgentError("PLB807", `malformed agent signature: ${e.message}`, { cause: e });
        }
        throw e;
      }
    },
  };
}
