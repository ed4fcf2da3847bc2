// Instances plumb does not manage inside the projects the estate owns (made by hand with the
// incus CLI, another tool's, a copy): never changed or deleted, but a plan names them, since
// they keep a project or bridge from being removed and an operator should know they are there.
import { type ObservedObject, refId } from "../model.js";

export function unmanagedInOwnedProjects(
  observed: readonly ObservedObject[],
  declaredIds: ReadonlySet<string>,
): string[] {
  const ownedProjects = new Set(
    observed
      .filter((o) => o.ref.kind === "project" && o.ownership === "owned")
      .map((o) => o.ref.name),
  );
  return observed
    .filter(
      (o) =>
        o.ref.kind === "instance" &&
        o.ownership !== "owned" &&
        ownedProjects.has(o.ref.project) &&
        !declaredIds.has(refId(o.ref)),
    )
    .map((o) => refId(o.ref))
    .sort();
}
