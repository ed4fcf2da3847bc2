// The profile kind's managed view, added to the shared model's SpecOf.
import type { ConfigMap, DeviceMap } from "../../drivers/incus/types.js";

export interface ProfileSpec {
  readonly description: string;
  readonly config: ConfigMap;
  readonly devices: DeviceMap;
}

declare module "../../model.js" {
  interface SpecOf {
    readonly profile: ProfileSpec;
  }
}
