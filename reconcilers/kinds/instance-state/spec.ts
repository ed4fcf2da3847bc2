// The instance-state kind's managed view, added to the shared model's SpecOf.
export interface StateSpec {
  readonly status: "Running" | "Stopped";
}

declare module "../../model.js" {
  interface SpecOf {
    readonly "instance-state": StateSpec;
  }
}
