// Properties of SSHSIG sign/verify over arbitrary inputs (fast-check).
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignatureError } from "./errors.js";
import { generateEd25519Key, type OpensshPrivateKey } from "./openssh-private-key.js";
import { formatPublicKey } from "./public-key.js";
import { keySigner } from "./signer.js";
import { armorSshsig, dearmorSshsig, signSshsig, verifySshsig } from "./sshsig.js";
import { type Sandbox, sandbox, sshKeygenVerify } from "./test-kit.js";

let key: OpensshPrivateKey;
let box: Sandbox;
beforeAll(() => {
  key = generateEd25519Key("prop@plumb.test");
  box = sandbox();
});
afterAll(() => box.remove());

/** Namespaces ssh-keygen can take on its command line and we accept. */
const namespace = fc
  .string({ minLength: 1, maxLength: 40, unit: "grapheme" })
  .filter((s) => !/[\0\r\n]/.test(s));
const message = fc.uint8Array({ maxLength: 2048 });

function refusal(fn: () => unknown): SignatureError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof SignatureError) return e;
    throw e;
  }
}

describe("SSHSIG properties", () => {
  it("round-trips: what we sign we verify, for any message and namespace", async () => {
    await fc.assert(
      fc.asyncProperty(
        message,
        namespace,
        fc.constantFrom("sha512", "sha256"),
        async (m, ns, h) => {
          const sig = await signSshsig(m, ns, keySigner(key), { hashAlgorithm: h });
          const ok = verifySshsig(sig, m, ns, key.publicKey);
          expect(ok.namespace).toBe(ns);
          expect(ok.hashAlgorithm).toBe(h);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("any single-byte change of the decoded blob is refused", async () => {
    const m = new TextEncoder().encode("manifest bytes");
    const ns = "contract-manifest-v1@plumb.test";
    const blob = dearmorSshsig(await signSshsig(m, ns, keySigner(key)));
    fc.assert(
      fc.property(fc.nat({ max: blob.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const mutated = Uint8Array.from(blob);
        mutated[i] = (mutated[i] as number) ^ x;
        expect(
          refusal(() => verifySshsig(armorSshsig(mutated), m, ns, key.publicKey)),
        ).toBeDefined();
      }),
      { numRuns: 500 },
    );
    // and exhaustively for one flip per byte position, so no field is left unprobed
    for (let i = 0; i < blob.length; i++) {
      const mutated = Uint8Array.from(blob);
      mutated[i] = (mutated[i] as number) ^ 0x01;
      expect(
        refusal(() => verifySshsig(armorSshsig(mutated), m, ns, key.publicKey)),
        `byte ${i}`,
      ).toBeDefined();
    }
  });

  it("any single-byte change of the message is refused with PLB819", async () => {
    await fc.assert(
      fc.asyncProperty(
        message.filter((m) => m.length > 0),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (m, at, x) => {
          const sig = await signSshsig(m, "ns@plumb.test", keySigner(key));
          const altered = Uint8Array.from(m);
          const i = at % m.length;
          altered[i] = (altered[i] as number) ^ x;
          const e = refusal(() => verifySshsig(sig, altered, "ns@plumb.test", key.publicKey));
          expect(e?.code).toBe("PLB819");
        },
      ),
      { numRuns: 150 },
    );
  });

  it("arbitrary text or bytes as a signature only ever yield a SignatureError", () => {
    const header = "-----BEGIN SSH SIGNATURE-----\n";
    const footer = "\n-----END SSH SIGNATURE-----\n";
    const candidates = fc.oneof(
      fc.string(),
      fc.uint8Array({ maxLength: 400 }),
      fc.uint8Array({ maxLength: 400 }).map((b) => armorSshsig(b)),
      fc.base64String({ maxLength: 400 }).map((b) => `${header}${b}${footer}`),
    );
    fc.assert(
      fc.property(candidates, (sig) => {
        expect(
          refusal(() => verifySshsig(sig, new Uint8Array(0), "x@y", key.publicKey)),
        ).toBeDefined();
      }),
      { numRuns: 1000 },
    );
  });

  it("ssh-keygen -Y verify accepts our signatures for random messages and namespaces", async () => {
    const allowed = `prop@plumb.test ${formatPublicKey(key.publicKey)}\n`;
    await fc.assert(
      fc.asyncProperty(message, namespace, async (m, ns) => {
        const sig = await signSshsig(m, ns, keySigner(key));
        const r = sshKeygenVerify(box, {
          allowedSigners: allowed,
          principal: "prop@plumb.test",
          namespace: ns,
          signature: sig,
          message: m,
        });
        expect(r.status, r.stderr).toBe(0);
      }),
      // each run spawns ssh-keygen; a few dozen cover the encoding without hogging shared CPUs
      { numRuns: 25 },
    );
  });
});
