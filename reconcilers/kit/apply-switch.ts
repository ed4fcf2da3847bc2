// The one create/update/delete switch every kind shares: a kind supplies the actions it has, and
// any other action reaching it (orphan and conflict always) is a bug, never a silent no-op.
import type { IncusDriver } from "../drivers/incus/types.js";
import type { Change, Kind } from "../model.js";
import type { ApplyContext, ApplyOutcome } from "../reconciler.js";
import { notApplicable } from "./apply-guards.js";

export type ChangeOf<K extends Kind, A extends Change["action"]> = Extract<
  Change<K>,
  { readonly action: A }
>;

type Handler<K extends Kind, A extends Change["action"]> = (
  change: ChangeOf<K, A>,
  driver: IncusDriver,
  ctx: ApplyContext,
) => Promise<ApplyOutcome>;

export interface KindActions<K extends Kind> {
  readonly create?: Handler<K, "create">;
  /** Also `update-restart`, unless the kind has its own. */
  readonly update?: Handler<K, "update" | "update-restart">;
  readonly "update-restart"?: Handler<K, "update-restart">;
  readonly replace?: Handler<K, "replace">;
  readonly start?: Handler<K, "start">;
  readonly stop?: Handler<K, "stop">;
  readonly delete?: Handler<K, "delete">;
}

/** The kind's `apply`: dispatches a change to its action's handler. */
export function applyWith<K extends Kind>(
  actions: KindActions<K>,
): (change: Change<K>, driver: IncusDriver, ctx: ApplyContext) => Promise<ApplyOutcome> {
  return async (change, d, ctx) => {
    const c = change as Change<K>;
    switch (c.action) {
      case "create":
        return actions.create
          ? actions.create(c as ChangeOf<K, "create">, d, ctx)
          : notApplicable(c);
      case "update":
        return actions.update
          ? actions.update(c as ChangeOf<K, "update">, d, ctx)
          : notApplicable(c);
      case "update-restart": {
        const own = actions["update-restart"];
        if (own) return own(c as ChangeOf<K, "update-restart">, d, ctx);
        return actions.update
          ? actions.update(c as ChangeOf<K, "update-restart">, d, ctx)
          : notApplicable(c);
      }
      case "replace":
        return actions.replace
          ? actions.replace(c as ChangeOf<K, "replace">, d, ctx)
          : notApplicable(c);
      case "start":
        return actions.start ? actions.start(c as ChangeOf<K, "start">, d, ctx) : notApplicable(c);
      case "stop":
        return actions.stop ? actions.stop(c as ChangeOf<K, "stop">, d, ctx) : notApplicable(c);
      case "delete":
        return actions.delete
          ? actions.delete(c as ChangeOf<K, "delete">, d, ctx)
          : notApplicable(c);
      case "orphan":
      case "conflict":
        return notApplicable(c);
    }
  };
}
