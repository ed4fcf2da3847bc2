// Resource kinds of the reconciler (PLB740–PLB769): refusals a kind makes on its own.
import type { CodeInfo } from "./code-info.js";

export const KIND_CODES = {
  PLB740: {
    title: "volume declared on another pool",
    help: "A storage volume exists on one pool and is declared on another. plumb does not move volumes between pools (data would be copied behind the operator's back): move it by hand (`incus storage volume move`) or declare the pool it is on.",
  },
} as const satisfies Record<string, CodeInfo>;
