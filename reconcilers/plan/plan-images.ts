// Plan-time image checks (issue 10, item 8): every instance the plan creates needs an image this
// site can resolve (the image map, the incus CLI's remotes), and a local alias must exist in
// Incus — both refused before any change, instead of failing mid-apply.
import { PlumbError } from "../../core/errors.js";
import type { DesiredState } from "../desired.js";
import type { IncusDriver } from "../drivers/incus/types.js";
import type { Change } from "../model.js";

const MAP_HINT =
  "map the image to one this site has: `image_map:` in .plumb/site.yml (scripts/incus-sandbox.sh site writes one), --image-map images:debian/13=plumb-busybox, or PLUMB_IMAGE_MAP";

function creates(changes: readonly Change[]) {
  return changes.filter(
    (c): c is Change & { action: "create" | "replace" } =>
      c.ref.kind === "instance" &&
      (c.action === "create" || c.action === "replace") &&
      !("unsupported" in c && c.unsupported),
  );
}

/** An image this site cannot resolve (unmapped remote, unknown remote): PLB715. */
export function assertImagesResolve(changes: readonly Change[], desired: DesiredState): void {
  const missing = creates(changes)
    .map((c) => desired.imageProblems.get(c.ref.name))
    .filter((p): p is string => p !== undefined);
  if (missing.length > 0) {
    throw new PlumbError("PLB715", [...new Set(missing)].join("; "), { hint: MAP_HINT });
  }
}

/**
 * A local alias (no image server) must name an image Incus has: plumb's projects share the
 * default project's images (`features.images=false`), so one listing answers for all. PLB633.
 */
export async function assertLocalImagesExist(
  changes: readonly Change[],
  driver: IncusDriver,
): Promise<void> {
  const wanted = new Map<string, string[]>();
  for (const c of creates(changes)) {
    const src = c.create?.source;
    if (src?.type !== "image" || src.server !== undefined || !src.alias) continue;
    wanted.set(src.alias, [...(wanted.get(src.alias) ?? []), c.ref.name]);
  }
  if (wanted.size === 0) return;
  const aliases = await driver.listImageAliases();
  const names = new Set(aliases.map((a) => a.name));
  const unknown = [...wanted].filter(
    ([alias]) =>
      !names.has(alias) &&
      !(/^[0-9a-f]{12,64}$/.test(alias) && aliases.some((a) => a.target.startsWith(alias))),
  );
  if (unknown.length > 0) {
    throw new PlumbError(
      "PLB633",
      unknown
        .map(([alias, machines]) => `image '${alias}' (for ${machines.join(", ")}) is not in Incus`)
        .join("; "),
      {
        hint: `import it (\`incus image import … --alias <name>\`), fix the name, or ${MAP_HINT.replace("map the image", "map it")}`,
      },
    );
  }
}
