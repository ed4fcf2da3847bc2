// Image resolution: a declared image (`images:debian/13`) goes through the site's image map
// first (an offline site maps it to a local alias: `images:debian/13=plumb-busybox`), then a
// `remote:alias` is looked up in the incus CLI's remotes; a bare name is a local alias. A site
// with an image map has said which remote images it can use: another remote image is refused at
// plan time (map it, or map it to itself to let Incus download it). Pure.

import type { ImageResolution } from "./desired.js";
import type { InstanceSource } from "./drivers/incus/types.js";

export interface ImageRemote {
  readonly addr: string;
  readonly protocol: string;
}

export function resolveImage(
  declared: string,
  imageMap: Readonly<Record<string, string>>,
  remotes: Readonly<Record<string, ImageRemote>>,
): ImageResolution {
  const mapped = imageMap[declared];
  const image = mapped ?? declared;
  const colon = image.indexOf(":");
  if (mapped === undefined && colon >= 0 && Object.keys(imageMap).length > 0) {
    const remote = image.slice(0, colon);
    if (remote !== "local") {
      return {
        ok: false,
        reason: `image ${image} is not in this site's image map (${Object.keys(imageMap).join(", ")}): map it to a local image, or to itself (${image}=${image}) to let Incus download it`,
      };
    }
  }
  if (colon < 0) return { ok: true, source: { type: "image", alias: image } };
  const remote = image.slice(0, colon);
  const alias = image.slice(colon + 1);
  if (remote === "local") return { ok: true, source: { type: "image", alias } };
  const r = remotes[remote];
  if (r === undefined || !/^https:\/\//.test(r.addr)) {
    return {
      ok: false,
      reason: `image ${image}: remote '${remote}' is not an image server in the incus CLI configuration`,
    };
  }
  const protocol = r.protocol === "incus" ? "incus" : "simplestreams";
  const source: InstanceSource = { type: "image", alias, server: r.addr, protocol };
  return { ok: true, source };
}

/** `a=b` pairs (flag values, or one comma-separated string) → a map; undefined entries are errors. */
export function parseImageMap(pairs: readonly string[]): {
  map: Record<string, string>;
  bad: string[];
} {
  const map: Record<string, string> = {};
  const bad: string[] = [];
  for (const raw of pairs.flatMap((p) => p.split(","))) {
    const pair = raw.trim();
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const from = pair.slice(0, eq).trim();
    const to = pair.slice(eq + 1).trim();
    if (eq <= 0 || from === "" || to === "") bad.push(pair);
    else map[from] = to;
  }
  return { map, bad };
}
