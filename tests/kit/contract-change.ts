// A contract change for tests: an instance target's new "run" of a low-risk contract with no
// consent and no roles; each test overrides what it is about.
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
