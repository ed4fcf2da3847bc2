// Operations: sticky addressing, site settings, snapshots, lock and progress (PLB630–PLB659,
// PLB727–PLB739).
import type { CodeInfo } from "./code-info.js";

export const OPS_CODES = {
  PLB630: {
    title: "address renumber",
    help: "An existing domain's subnet or machine's IP differs from the one recorded in addresses.lock.yml (an explicit `subnet_id`/`ip` changed, a `trust_level` or `zone_base` moved it, or an explicit address now claims another object's recorded one). Addresses are sticky: adding or removing objects never moves others, so this only happens when the YAML asks for it. `plumb validate` and `plumb plan` show it; `plumb generate --allow-renumber` records it and `plumb apply --allow-renumber` applies it. Otherwise revert the change.",
  },
  PLB631: {
    title: "invalid addresses.lock.yml",
    help: "addresses.lock.yml (beside infra/base.yml or infra.yml) must be a mapping with `domains:` (name → `a.b.c.0/24`) and `machines:` (name → IPv4). It is written by `plumb generate`: restore it from git, or delete it to number the estate afresh (which may renumber existing objects).",
  },
  PLB632: {
    title: "snapshot target not owned by this estate",
    help: "`plumb snapshot create|restore|delete` act only on instances this estate owns (`user.plumb.owner` equal to its project_name) inside its own projects. The instance named belongs to another estate or to nobody; use the incus CLI for it, or `plumb import` it first.",
  },
  PLB633: {
    title: "image unknown to Incus",
    help: "A machine to create names a local image alias Incus does not have (checked at plan time, before any change). Import the image (`incus image import … --alias <name>`), fix the name, or map it: `image_map:` in .plumb/site.yml or `--image-map from=to`.",
  },
} as const satisfies Record<string, CodeInfo>;
