// Plan-time view of what would refuse a bridge repair (repair.ts): the profiles and instances on
// the unfinished bridge that plumb does not own, read from the listings the plan already has.
import type { ConfigMap } from "../../drivers/incus/types.js";
import { ownershipOf } from "../../kit/ownership.js";
import type { LiveView, ReadScope } from "../../reconciler.js";
import { bridgeUsers, userLabel } from "./repair.js";

export async function repairBlockers(
  usedBy: readonly string[] | null | undefined,
  live: LiveView,
  scope: ReadScope,
): Promise<string[]> {
  const out: string[] = [];
  for (const u of bridgeUsers(usedBy)) {
    const list: readonly { name: string; config: ConfigMap }[] =
      u.kind === "profile" ? await live.profiles(u.project) : await live.instances(u.project);
    const config = list.find((x) => x.name === u.name)?.config ?? {};
    if (
      ownershipOf(config, { kind: u.kind, project: u.project, name: u.name }, scope.owner) !==
      "owned"
    )
      out.push(userLabel(u));
  }
  return out;
}
