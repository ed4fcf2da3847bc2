// The storage-volume kind's managed view, added to the shared model's SpecOf.
import type { ConfigMap } from "../../drivers/incus/types.js";

export interface StorageVolumeSpec {
  readonly description: string;
  /** The storage pool it lives in (a volume is never moved between pools). */
  readonly pool: string;
  /** `size` when declared, and the `user.plumb.*` labels. */
  readonly config: ConfigMap;
}

/** A custom volume as Incus keeps it (`/1.0/storage-pools/<pool>/volumes/custom/<name>`). */
export interface CustomVolume {
  readonly name: string;
  readonly description: string;
  readonly config: ConfigMap;
  readonly project?: string;
  readonly content_type?: string;
}

export interface CustomVolumeWrite {
  readonly description: string;
  readonly config: ConfigMap;
  readonly content_type?: string;
}

declare module "../../model.js" {
  interface SpecOf {
    readonly "storage-volume": StorageVolumeSpec;
  }
}
