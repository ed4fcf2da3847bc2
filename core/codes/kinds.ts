// Resource kinds of the reconciler (PLB740–PLB769): refusals a kind makes on its own.
import type { CodeInfo } from "./code-info.js";

export const KIND_CODES = {
  PLB740: {
    title: "volume declared on another pool",
    help: "A storage volume exists on one pool and is declared on another. plumb does not move volumes between pools (data would be copied behind the operator's back): move it by hand (`incus storage volume move`) or declare the pool it is on.",
  },
  PLB741: {
    title: "unfinished bridge used by objects plumb does not own",
    help: "Incus left a bridge `Pending`/`Errored` (its creation was interrupted) and cannot finish it: plumb recreates it, detaching the NICs on it from plumb's own profiles and instances meanwhile. A profile or instance plumb does not own also uses it, so plumb does not touch it: remove that NIC (or the object) by hand, then apply again.",
  },
} as const satisfies Record<string, CodeInfo>;
