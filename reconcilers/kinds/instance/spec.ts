// The instance kind's managed view, added to the shared model's SpecOf.
import type { ConfigMap, DeviceMap, InstanceType } from "../../drivers/incus/types.js";

export interface InstanceSpec {
  readonly description: string;
  readonly type: InstanceType;
  readonly profiles: readonly string[];
  /** Local config, ownership keys included (volatile.* and image.* are the server's). */
  readonly config: ConfigMap;
  readonly devices: DeviceMap;
}

declare module "../../model.js" {
  interface SpecOf {
    readonly instance: InstanceSpec;
  }
}
