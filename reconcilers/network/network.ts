// Networks: one bridge `net-<domain>` per domain, in the default project (domain projects have
// `features.networks=false`). Only the keys plumb sets are compared, so keys the server or an
// operator adds (dns.*, bridge.mtu…) are kept and never reported.
import {
  assertOwned,
  createOrAcceptOurs,
  deleteIfOurs,
  done,
  notApplicable,
} from "../apply-guards.js";
import { diffConfig, diffScalar, pick, sortedConfig } from "../diff-fields.js";
import { updateWithFreshEtag } from "../drivers/incus/retry-on-stale.js";
import type { ConfigMap, IncusDriver, Network } from "../drivers/incus/types.js";
import { diffObjects, type KindDiffOps } from "../generic-diff.js";
import type { Change, NetworkSpec, ObservedObject } from "../model.js";
import { digestOf, ownershipOf, PLUMB_PREFIX } from "../ownership.js";
import type { ApplyContext, ApplyOutcome, Reconciler } from "../reconciler.js";

/** Bridge keys plumb declares (desired.ts bridgeConfig); removed from the live object when no longer declared. */
export const NETWORK_KEYS: ReadonlySet<string> = new Set([
  "ipv4.address",
  "ipv4.nat",
  "ipv4.dhcp",
  "ipv4.dhcp.ranges",
  "ipv4.firewall",
  "ipv6.address",
  "ipv6.nat",
  "ipv6.dhcp",
  "ipv6.firewall",
]);
export const isNetworkKey = (k: string) => NETWORK_KEYS.has(k) || k.startsWith(PLUMB_PREFIX);

export function observeNetwork(n: Network, owner: string): ObservedObject<"network"> {
  const ref = { kind: "network" as const, project: "default", name: n.name };
  const spec: NetworkSpec = {
    description: n.description ?? "",
    config: sortedConfig(pick(n.config ?? {}, isNetworkKey)),
  };
  return {
    ref,
    spec,
    ownership: ownershipOf(n.config ?? {}, ref, owner),
    hash: digestOf({ ...spec, type: n.type }),
    facts: { type: n.type },
  };
}

const ops: KindDiffOps<"network"> = {
  kind: "network",
  fields: (d, o) => [
    ...diffScalar("description", d.description, o.description),
    ...diffConfig("config", d.config, o.config),
  ],
};

function merged(current: ConfigMap, desired: ConfigMap): ConfigMap {
  return { ...pick(current, (k) => !isNetworkKey(k)), ...desired };
}

async function apply(
  change: Change<"network">,
  d: IncusDriver,
  ctx: ApplyContext,
): Promise<ApplyOutcome> {
  const name = change.ref.name;
  switch (change.action) {
    case "create":
      return done(
        await createOrAcceptOurs(
          change,
          ctx.owner,
          () =>
            d.createNetwork("default", {
              name,
              type: "bridge",
              description: change.desired.description,
              config: change.desired.config,
            }),
          () => d.getNetwork("default", name),
        ),
      );
    case "update":
    case "update-restart": {
      const desired = change.desired;
      await updateWithFreshEtag(
        () => d.getNetwork("default", name),
        async (cur, etag) => {
          assertOwned(cur.config, change, ctx.owner);
          const value = {
            description: desired.description,
            config: merged(cur.config, desired.config),
          };
          await d.updateNetwork("default", name, value, etag);
          return true;
        },
      );
      return { status: "done" };
    }
    case "delete":
      await deleteIfOurs(
        change,
        ctx.owner,
        () => d.getNetwork("default", name),
        () => d.deleteNetwork("default", name),
      );
      return { status: "done" };
    case "replace":
    case "start":
    case "stop":
    case "orphan":
    case "conflict":
      return notApplicable(change);
  }
}

export const networkReconciler = {
  kind: "network",
  // Incus 6.0 lists the host's links while deleting a bridge: two bridges deleted at once can
  // fail with "Failed to delete bridge children interfaces … Device does not exist".
  maxConcurrency: 1,
  async read(live, scope) {
    return (await live.networks())
      .filter((n) => n.managed)
      .map((n) => observeNetwork(n, scope.owner));
  },
  diff: (desired, observed, ctx) => diffObjects(ops, desired, observed, ctx),
  apply,
} satisfies Reconciler<"network">;
