import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PlumbError } from "../errors.js";
import { loadSite } from "./site-config.js";

function root(siteYml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "plumb-site-"));
  if (siteYml !== undefined) {
    mkdirSync(join(dir, ".plumb"));
    writeFileSync(join(dir, ".plumb", "site.yml"), siteYml);
  }
  return dir;
}

const HOME = { HOME: "/nonexistent-home" };

describe("loadSite", () => {
  it("without a file or variables: defaults, and no source", () => {
    const s = loadSite(root(), HOME);
    expect(s).toMatchObject({
      sources: [],
      imageMapPairs: [],
      bridgeAddresses: "declared",
      storagePool: "default",
    });
  });

  it("reads image map, bridge mode, pool and socket from .plumb/site.yml and names it", () => {
    const s = loadSite(
      root(
        "incus:\n  socket: /run/x.sock\nimage_map:\n  images:debian/13: plumb-busybox\nbridge_addresses: none\nstorage_pool: p1\n",
      ),
      HOME,
    );
    expect(s.sources).toEqual([".plumb/site.yml"]);
    expect(s.imageMapPairs).toEqual(["images:debian/13=plumb-busybox"]);
    expect(s.bridgeAddresses).toBe("none");
    expect(s.storagePool).toBe("p1");
    expect(s.incus?.socket).toBe("/run/x.sock");
  });

  it("environment and flags override the file, and each override is named", () => {
    const s = loadSite(
      root("bridge_addresses: none\n"),
      { ...HOME, PLUMB_IMAGE_MAP: "a=b", PLUMB_BRIDGE_ADDRESSES: "declared" },
      { imageMap: ["c=d"] },
    );
    expect(s.bridgeAddresses).toBe("declared");
    expect(s.imageMapPairs).toEqual(["a=b", "c=d"]);
    expect(s.sources).toEqual([
      ".plumb/site.yml",
      "PLUMB_IMAGE_MAP",
      "--image-map",
      "PLUMB_BRIDGE_ADDRESSES",
    ]);
    const f = loadSite(root("bridge_addresses: none\n"), HOME, { bridgeAddresses: "declared" });
    expect(f.bridgeAddresses).toBe("declared");
    expect(f.sources).toEqual([".plumb/site.yml", "--bridge-addresses"]);
  });

  it("an empty variable is unset, not a value", () => {
    const s = loadSite(root("bridge_addresses: none\n"), {
      ...HOME,
      PLUMB_BRIDGE_ADDRESSES: "",
      PLUMB_IMAGE_MAP: "",
      PLUMB_STORAGE_POOL: "",
    });
    expect(s.bridgeAddresses).toBe("none");
    expect(s.storagePool).toBe("default");
    expect(s.sources).toEqual([".plumb/site.yml"]);
  });

  it("refuses a misspelt setting, a bad bridge mode and a non-mapping file with PLB725", () => {
    for (const text of ["bridge_address: none\n", "bridge_addresses: some\n", "- a\n"]) {
      let err: unknown;
      try {
        loadSite(root(text), HOME);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PlumbError);
      expect((err as PlumbError).code).toBe("PLB725");
    }
  });
});
