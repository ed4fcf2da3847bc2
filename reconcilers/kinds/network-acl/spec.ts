// The network-acl kind's managed view, added to the shared model's SpecOf.
import type { ConfigMap } from "../../drivers/incus/types.js";

/** One Incus ACL rule; fields Incus leaves empty are absent. */
export interface AclRule {
  readonly action: "allow" | "drop" | "reject";
  readonly source?: string;
  readonly destination?: string;
  readonly protocol?: string;
  readonly destination_port?: string;
  readonly description?: string;
  readonly state: "enabled" | "disabled" | "logged";
}

export interface NetworkAclSpec {
  readonly description: string;
  /** The `user.plumb.*` labels (and any other keys plumb sets). */
  readonly config: ConfigMap;
  readonly ingress: readonly AclRule[];
  readonly egress: readonly AclRule[];
}

/** The object Incus keeps at `/1.0/network-acls/<name>`. */
export interface NetworkAcl extends NetworkAclSpec {
  readonly name: string;
  readonly used_by?: readonly string[];
  readonly project?: string;
}

export type NetworkAclWrite = NetworkAclSpec;

declare module "../../model.js" {
  interface SpecOf {
    readonly "network-acl": NetworkAclSpec;
  }
}
