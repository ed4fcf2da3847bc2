// joinUnder: safe names join under the base; anything else is refused, never a path outside it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PlumbError } from "../errors.js";
import { assertSafeName, folderUnder, joinUnder } from "./safe-path.js";

describe("joinUnder", () => {
  it("joins safe names under the base, as anklume writes it", () => {
    expect(joinUnder("/srv/anklume/shares", "docs")).toBe("/srv/anklume/shares/docs");
    expect(joinUnder("/srv/data/", "web", "web-1", "db")).toBe("/srv/data/web/web-1/db");
  });

  it.each(["..", ".", "../etc", "a/b", "", "A", "-a", "a-", "a b", "a\nb"])(
    "refuses the name %j",
    (name) => {
      expect(() => joinUnder("/srv/x", name)).toThrow(PlumbError);
    },
  );

  it.each(["relative/dir", "/srv/../etc", "/srv/./x"])("refuses the base %s", (base) => {
    expect(() => joinUnder(base, "ok")).toThrow(PlumbError);
  });

  it("property: the result is under the base, or the call throws", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("/srv/anklume/shares", "/data", "/"),
        fc.array(fc.oneof(fc.string(), fc.constantFrom("..", ".", "a", "web-1", "x/..")), {
          minLength: 1,
          maxLength: 3,
        }),
        (base, names) => {
          let out: string;
          try {
            out = joinUnder(base, ...names);
          } catch (e) {
            expect(e).toBeInstanceOf(PlumbError);
            return;
          }
          const prefix = base === "/" ? "/" : `${base}/`;
          expect(out.startsWith(prefix)).toBe(true);
          expect(out.split("/")).not.toContain("..");
        },
      ),
    );
  });
});

describe("assertSafeName", () => {
  it("accepts a name, refuses a path", () => {
    expect(() => assertSafeName("web-1", "machine")).not.toThrow();
    expect(() => assertSafeName("../x", "machine")).toThrow(PlumbError);
  });
});

describe("folderUnder (global.ansible_dir)", () => {
  it("keeps the folder inside the repository", () => {
    expect(folderUnder("/repo", ".")).toBe("/repo");
    expect(folderUnder("/repo", "ansible")).toBe("/repo/ansible");
    expect(folderUnder("/repo/", "a/b")).toBe("/repo/a/b");
  });

  it.each(["..", "../etc", "a/../../etc", "/etc"])("refuses %s", (dir) => {
    if (dir === "/etc")
      expect(folderUnder("/repo", dir)).toBe("/repo/etc"); // joined, not absolute
    else expect(() => folderUnder("/repo", dir)).toThrow(PlumbError);
  });

  it("the schema refuses an ansible_dir with `..` or an absolute path", async () => {
    const { validateValue, minimalEstate } = await import("../../tests/kit/infra.js");
    for (const dir of ["../out", "/etc", "a/../b", ""]) {
      const doc = minimalEstate();
      (doc.global as Record<string, unknown>).ansible_dir = dir;
      expect(validateValue(doc).ok, dir).toBe(false);
    }
    const ok = minimalEstate();
    (ok.global as Record<string, unknown>).ansible_dir = "ansible";
    expect(validateValue(ok).ok).toBe(true);
  });
});
