// Per domain: the project's `default` profile (root disk + eth0 on the domain bridge, plus what
// `profiles.default` adds) and the domain's extra profiles. Pure.
import type { DesiredInput } from "../../desired.js";
import { deviceMap, ref, stringMap } from "../../kit/desired-kit.js";
import { ownerLabels, sealSpec } from "../../kit/ownership.js";
import { type DesiredObject, refId } from "../../model.js";

export function desiredProfiles(input: DesiredInput): DesiredObject<"profile">[] {
  const { owner, storagePool } = input.options;
  const out: DesiredObject<"profile">[] = [];
  for (const d of input.domains) {
    const pId = refId(ref("project", d.project, d.project));
    const nId = refId(ref("network", "default", d.network));
    const defRef = ref("profile", d.project, "default");
    // `profiles.default` of a domain adds to (or overrides) what plumb puts in the default profile.
    const extra = d.profiles.default ?? undefined;
    out.push({
      ref: defRef,
      spec: sealSpec({
        description: extra?.description ?? "",
        config: { ...stringMap(extra?.config), ...ownerLabels(defRef, owner) },
        devices: {
          eth0: { name: "eth0", network: d.network, type: "nic" },
          root: { path: "/", pool: storagePool, type: "disk" },
          ...deviceMap(extra?.devices),
        },
      }),
      deps: [pId, nId],
    });
    for (const [name, p] of Object.entries(d.profiles)) {
      if (name === "default") continue;
      const r = ref("profile", d.project, name);
      out.push({
        ref: r,
        spec: sealSpec({
          description: p?.description ?? "",
          config: { ...stringMap(p?.config), ...ownerLabels(r, owner) },
          devices: deviceMap(p?.devices),
        }),
        deps: [pId],
      });
    }
  }
  return out;
}
