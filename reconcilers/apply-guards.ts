// Checks every apply makes on the freshly read object before writing: plumb never modifies or
// deletes an object it does not own, even if it changed hands since the plan.
import { PlumbError } from "../core/errors.js";
import type { ConfigMap } from "./drivers/incus/types.js";
import { type Change, refLabel } from "./model.js";
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
