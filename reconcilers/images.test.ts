// Image resolution: the site's map first, then the incus CLI's remotes; bare names are local aliases.
import { describe, expect, it } from "vitest";
import { parseImageMap, resolveImage } from "./images.js";

const remotes = {
  images: { addr: "https://images.example", protocol: "simplestreams" },
  local: { addr: "unix://", protocol: "incus" },
};

describe("images", () => {
  it("maps a declared image to a local alias (offline sites)", () => {
    expect(resolveImage("images:debian/13", { "images:debian/13": "plumb-busybox" }, {})).toEqual({
      ok: true,
      source: { type: "image", alias: "plumb-busybox" },
    });
  });

  it("resolves remote:alias through the CLI's remotes, and says when it cannot", () => {
    expect(resolveImage("images:debian/13", {}, remotes)).toEqual({
      ok: true,
      source: {
        type: "image",
        alias: "debian/13",
        server: "https://images.example",
        protocol: "simplestreams",
      },
    });
    expect(resolveImage("local:bb", {}, remotes)).toEqual({
      ok: true,
      source: { type: "image", alias: "bb" },
    });
    const r = resolveImage("nowhere:x", {}, remotes);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/remote 'nowhere'/);
  });

  it("parses from=to pairs, comma-separated or repeated, and reports bad ones", () => {
    expect(parseImageMap(["a:b=c,d=e", " f = g "])).toEqual({
      map: { "a:b": "c", d: "e", f: "g" },
      bad: [],
    });
    expect(parseImageMap(["x", "=y", "z="]).bad).toEqual(["x", "=y", "z="]);
  });

  it("a site with an image map refuses an unmapped remote image; mapped to itself it resolves", () => {
    const map = { "images:debian/13": "plumb-busybox" };
    const r = resolveImage("images:debian/12", map, remotes);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/images:debian\/12 is not in this site's image map/);
    expect(resolveImage("local:bb", map, remotes).ok).toBe(true);
    expect(resolveImage("bb", map, remotes).ok).toBe(true);
    const self = resolveImage(
      "images:debian/12",
      { ...map, "images:debian/12": "images:debian/12" },
      remotes,
    );
    expect(self.ok && self.source).toMatchObject({
      server: "https://images.example",
      alias: "debian/12",
    });
  });
});
