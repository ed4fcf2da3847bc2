// Contract-consent fixtures for tests: a contract change (an instance target's new "run" of a
// low-risk contract with no consent and no roles; each test overrides what it is about) and a keyring.
import { generateEd25519Key } from "../../core/signing/openssh-private-key.js";
import { newKeyring, trustKey } from "../../core/trust/keyring.js";
import type { ContractChange } from "../../reconcilers/plan/contract-change.js";

export function contractRun(over: Partial<ContractChange> = {}): ContractChange {
  const name = over.name ?? "motd";
  return {
    machine: "web-1",
    domain: "web",
    targetKind: "instance",
    project: "web",
    instance: "web-1",
    name,
    template: `${name}@1.0.0`,
    hash: `sha256:${"a".repeat(64)}`,
    liveHash: null,
    action: "run",
    reason: "new",
    risk: "low",
    consent: "NONE",
    roles: [],
    inputs: {},
    ...over,
  };
}

/** A keyring where alice holds every role (keys init) and bob holds contract and operator. */
export function aliceAndBob() {
  const alice = generateEd25519Key("alice");
  const bob = generateEd25519Key("bob");
  const keyring = trustKey(
    newKeyring("acme", alice.publicKey, "alice", "2099-01-01T00:00:00Z"),
    bob.publicKey,
    "bob",
    ["contract", "operator"],
  );
  return { alice, bob, keyring };
}
