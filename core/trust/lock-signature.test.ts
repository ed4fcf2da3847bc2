// The verdict on templates.lock signatures: signed, unsigned, no keyring, under threshold,
// invalid (changed bytes, foreign namespace); requireSignedLock fails closed on all but signed.
import { describe, expect, it } from "vitest";
import { PlumbError } from "../errors.js";
import { generateEd25519Key } from "../signing/openssh-private-key.js";
import { keySigner } from "../signing/signer.js";
import { signSshsig } from "../signing/sshsig.js";
import { namespaceFor, newKeyring, setThreshold, trustKey } from "./keyring.js";
import { judgeLock, lockNamespace, requireSignedLock } from "./lock-signature.js";

const NOW = new Date("2030-01-01T00:00:00Z");
const enc = new TextEncoder();
const alice = generateEd25519Key("alice");
const bob = generateEd25519Key("bob");
const LOCK = enc.encode('{\n  "version": 1,\n  "templates": {}\n}\n');
const k1 = newKeyring("acme", alice.publicKey, "alice", "2099-01-01T00:00:00Z");
const sig = async (key = alice, bytes = LOCK, ns = lockNamespace("acme")) => ({
  name: `${key.comment}.sig`,
  bytes: enc.encode(await signSshsig(bytes, ns, keySigner(key))),
});

describe("judgeLock", () => {
  it("signed by the contract threshold: signed, with its signers", async () => {
    const v = judgeLock(LOCK, [await sig()], k1, NOW);
    expect(v.state).toBe("signed");
    expect(requireSignedLock(v).signers.map((s) => s.principal)).toEqual(["alice"]);
  });

  it("no signature: unsigned (PLB836); no keyring: no-keyring; both fail closed", () => {
    const unsigned = judgeLock(LOCK, [], k1, NOW);
    expect(unsigned.state).toBe("unsigned");
    expect(() => requireSignedLock(unsigned)).toThrow(PlumbError);
    const none = judgeLock(LOCK, [], undefined, NOW);
    expect(none.state).toBe("no-keyring");
    expect(() => requireSignedLock(none)).toThrowError(/no keyring/);
  });

  it("changed bytes, another namespace or a foreign key: invalid (PLB837)", async () => {
    const changed = judgeLock(enc.encode("{}\n"), [await sig()], k1, NOW);
    expect(changed.state).toBe("invalid");
    expect(changed.state !== "signed" && changed.error.code).toBe("PLB837");
    const ns = await sig(alice, LOCK, namespaceFor("contract-manifest", "acme"));
    expect(judgeLock(LOCK, [ns], k1, NOW).state).toBe("invalid");
    expect(judgeLock(LOCK, [await sig(bob)], k1, NOW).state).toBe("invalid");
  });

  it("below threshold 2 (one key, however many files): under-threshold (PLB838)", async () => {
    const k = setThreshold(trustKey(k1, bob.publicKey, "bob", ["contract"]), "contract", 2);
    const a = await sig();
    const v = judgeLock(LOCK, [a, { ...a, name: "copy.sig" }], k, NOW);
    expect(v.state).toBe("under-threshold");
    expect(v.state !== "signed" && v.error.code).toBe("PLB838");
    expect(judgeLock(LOCK, [a, await sig(bob)], k, NOW).state).toBe("signed");
  });
});
