// What keeps an owned object from being deleted: instances plumb does not own that sit in it or
// use it (Incus refuses "Only empty projects can be removed", "The network is currently in use").
// Read from the listings every plan already has; an owned orphan they hold is reported, not deleted.
import type { Instance } from "../drivers/incus/types.js";
import type { LiveView, ReadScope } from "../reconciler.js";
import { ownershipOf } from "./ownership.js";

export function notOwned(instances: readonly Instance[], owner: string): Instance[] {
  return instances.filter(
    (i) =>
      ownershipOf(i.config ?? {}, { kind: "instance", project: i.project, name: i.name }, owner) !==
      "owned",
  );
}

/** `p/name` of the instances plumb does not own among a network's `used_by` (or its projects'). */
export async function networkKeepers(
  usedBy: readonly string[] | null | undefined,
  live: LiveView,
  scope: ReadScope,
): Promise<string[]> {
  const ours = new Set(scope.projects);
  const out = new Set<string>();
  for (const u of usedBy ?? []) {
    const url = new URL(u, "http://incus");
    const project = url.searchParams.get("project") ?? "default";
    const [, , kind, name] = url.pathname.split("/").map(decodeURIComponent);
    if (kind !== "instances" && kind !== "profiles") continue;
    if (!ours.has(project)) {
      // Someone else's project uses the bridge: it stays in use whatever plumb deletes.
      out.add(`${project}/${name ?? "?"}`);
      continue;
    }
    const foreign = notOwned(await live.instances(project), scope.owner);
    if (kind === "instances" && foreign.some((i) => i.name === name)) out.add(`${project}/${name}`);
    // A profile goes with its project, unless the project is kept by someone else's instance.
    if (kind === "profiles") for (const i of foreign) out.add(`${project}/${i.name}`);
  }
  return [...out].sort();
}
