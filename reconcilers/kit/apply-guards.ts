// Checks every apply makes on the freshly read object before writing: plumb never modifies or
// deletes an object it does not own, even if it changed hands since the plan.
import { PlumbError } from "../../core/errors.js";
import { AlreadyExistsError } from "../drivers/incus/errors.js";
import type { ConfigMap } from "../drivers/incus/types.js";
import { type Change, refLabel } from "../model.js";
import type { ApplyOutcome } from "../reconciler.js";
import { OWNER_KEY, ownershipOf } from "./ownership.js";

export class NotOwnedError extends PlumbError {
  constructor(change: Change, found: string) {
    super(
      "PLB717",
      `${change.ref.kind} ${refLabel(change.ref)} is not owned by this estate (${found}): plumb leaves it untouched`,
      { hint: "Plan again; rename the declared object, or `plumb import` it to take it over." },
    );
    this.name = "NotOwnedError";
  }
}

/**
 * Throws unless `config` (the object's local config, just read) carries this estate's labels
 * for this very object; `adopt` also accepts an object without any plumb label.
 */
export function assertOwned(config: ConfigMap, change: Change, owner: string, adopt = false): void {
  const o = ownershipOf(config, change.ref, owner);
  if (o === "owned" || (adopt && o === "unowned")) return;
  const found =
    o === "foreign"
      ? `owner '${config[OWNER_KEY]}'`
      : o === "copy"
        ? "labels of another object"
        : "no plumb labels";
  throw new NotOwnedError(change, found);
}

/** For actions a kind does not have (a project has no `start`): a bug if ever reached. */
export function notApplicable(change: Change): never {
  throw new PlumbError("PLB999", `${change.action} is not an action of ${change.ref.kind}`, {
    source: "internal",
  });
}

interface ReadConfig {
  readonly value: { readonly config: ConfigMap };
}

/**
 * Creates the object. If it already exists (an interrupted run of ours created it between the
 * plan and now), accepts it only when it carries our labels: never created twice, never taken
 * over. Returns a detail for the apply report when it already existed.
 */
export async function createOrAcceptOurs(
  change: Change,
  owner: string,
  create: () => Promise<unknown>,
  read: () => Promise<ReadConfig>,
): Promise<string | undefined> {
  try {
    await create();
    return undefined;
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    assertOwned((await read()).value.config, change, owner);
    return "already existed (ours)";
  }
}

/** Deletes the object after re-reading it and checking it is still ours. */
export async function deleteIfOurs(
  change: Change,
  owner: string,
  read: () => Promise<ReadConfig>,
  remove: () => Promise<unknown>,
): Promise<void> {
  assertOwned((await read()).value.config, change, owner);
  await remove();
}

/** A finished change, with the detail `createOrAcceptOurs` may return. */
export function done(detail?: string): ApplyOutcome {
  return detail === undefined ? { status: "done" } : { status: "done", detail };
}
