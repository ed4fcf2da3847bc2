// The project kind's managed view, added to the shared model's SpecOf.
import type { ConfigMap } from "../../drivers/incus/types.js";

export interface ProjectSpec {
  readonly description: string;
  /** `features.*`, set at creation only: Incus refuses to change them on a non-empty project. */
  readonly features: ConfigMap;
  /** The `user.plumb.*` ownership keys. */
  readonly config: ConfigMap;
}

declare module "../../model.js" {
  interface SpecOf {
    readonly project: ProjectSpec;
  }
}
