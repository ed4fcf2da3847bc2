// One project per enabled domain, with plumb's features and labels. Pure.
import type { DesiredInput } from "../../desired.js";
import { ref } from "../../kit/desired-kit.js";
import { ownerLabels, sealSpec } from "../../kit/ownership.js";
import type { DesiredObject } from "../../model.js";
import { PROJECT_FEATURES } from "./observe.js";

export function desiredProjects(input: DesiredInput): DesiredObject<"project">[] {
  return input.domains.map((d) => {
    const r = ref("project", d.project, d.project);
    return {
      ref: r,
      spec: sealSpec({
        description: d.description,
        features: PROJECT_FEATURES,
        config: ownerLabels(r, input.options.owner),
      }),
      deps: [],
    };
  });
}
