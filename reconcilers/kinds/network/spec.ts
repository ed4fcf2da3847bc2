// The network kind's managed view, added to the shared model's SpecOf.
import type { ConfigMap } from "../../drivers/incus/types.js";

export interface NetworkSpec {
  readonly description: string;
  readonly config: ConfigMap;
}

declare module "../../model.js" {
  interface SpecOf {
    readonly network: NetworkSpec;
  }
}
