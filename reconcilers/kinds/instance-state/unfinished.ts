// Instances an interrupted create left behind, as Incus 6.0 shows them (checked on the real
// daemon, tests/integration/instance-crash.test.ts): the create is a server-side operation a
// killed client does not stop, so an instance is either still being created (`Stopped` while
// its operation runs, started at its end) or created but never started (its start inside the
// create failed, e.g. on an unfinished bridge: `Stopped`, no `volatile.last_state.power`). Both
// are planned as a start with a note saying which, never as a plain start. Pure.
import type { Instance, Operation } from "../../drivers/incus/types.js";

/** `project/name` of every instance a running operation works on → the operation's words. */
export function instancesInFlight(ops: readonly Operation[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const op of ops) {
    for (const u of op.resources?.instances ?? []) {
      const url = new URL(u, "http://incus");
      const [, , kind, name] = url.pathname.split("/").map(decodeURIComponent);
      if (kind !== "instances" || !name) continue;
      const project = url.searchParams.get("project") ?? "default";
      out.set(`${project}/${name}`, `${op.description || "an operation"} (${op.id})`);
    }
  }
  return out;
}

/** Why a non-running instance is unfinished rather than merely stopped; undefined if it is not. */
export function unfinishedReason(
  i: Pick<Instance, "name" | "project" | "status" | "config">,
  inFlight: ReadonlyMap<string, string>,
): string | undefined {
  if (i.status === "Running") return undefined;
  const op = inFlight.get(`${i.project}/${i.name}`);
  if (op !== undefined)
    return `in progress: Incus is still running ${op} on it (an interrupted apply?); plumb apply waits for it, then plans again`;
  if (i.status === "Error")
    return "repair: Incus reports status Error (an interrupted create or start); started again";
  if (i.config?.["volatile.last_state.power"] === undefined)
    return "repair: created but never started (an interrupted create, a start that failed, or declared stopped until now); started now";
  return undefined;
}
