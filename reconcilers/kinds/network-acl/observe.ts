// ACLs as plumb sees them: description, labels, and the rules in order with empty fields dropped
// (Incus omits them anyway; a hand-made rule may carry them).
import type { IncusDriver } from "../../drivers/incus/types.js";
import { pick, sortedConfig } from "../../kit/diff-fields.js";
import { digestOf, ownershipOf, PLUMB_PREFIX } from "../../kit/ownership.js";
import type { ObservedObject } from "../../model.js";
import type { AclRule, NetworkAcl, NetworkAclSpec, NetworkAclWrite } from "./spec.js";

/** Where bridges' ACLs live: the default project (domain projects have features.networks=false). */
export const ACL_PROJECT = "default";

export const acls = (d: IncusDriver) => d.collection<NetworkAcl, NetworkAclWrite>("network-acls");

const RULE_KEYS = [
  "action",
  "source",
  "destination",
  "protocol",
  "destination_port",
  "description",
  "state",
] as const;

export function normalRule(rule: AclRule): AclRule {
  const r = rule as unknown as Readonly<Record<string, unknown>>;
  const out: Record<string, string> = {};
  for (const k of RULE_KEYS) {
    const v = r[k];
    if (typeof v === "string" && v !== "") out[k] = v;
  }
  out.state ??= "enabled";
  return out as unknown as AclRule;
}

export const isPlumbKey = (k: string) => k.startsWith(PLUMB_PREFIX);

export function observeAcl(a: NetworkAcl, owner: string): ObservedObject<"network-acl"> {
  const ref = { kind: "network-acl" as const, project: ACL_PROJECT, name: a.name };
  const spec: NetworkAclSpec = {
    description: a.description ?? "",
    config: sortedConfig(pick(a.config ?? {}, isPlumbKey)),
    ingress: (a.ingress ?? []).map(normalRule),
    egress: (a.egress ?? []).map(normalRule),
  };
  return {
    ref,
    spec,
    ownership: ownershipOf(a.config ?? {}, ref, owner),
    hash: digestOf(spec),
    facts: {},
  };
}
