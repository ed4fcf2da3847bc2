import { describe, expect, it } from "vitest";
import { PlumbError } from "../core/errors.js";
import { requireSupportedNode } from "./run.js";

const codeOf = (f: () => void) => {
  try {
    f();
    return "accepted";
  } catch (e) {
    return e instanceof PlumbError ? e.code : String(e);
  }
};

describe("requireSupportedNode", () => {
  it("refuses Node releases older than 22.12 with PLB093 instead of failing later inside a library", () => {
    expect(codeOf(() => requireSupportedNode("20.20.2"))).toBe("PLB093");
    expect(codeOf(() => requireSupportedNode("22.11.0"))).toBe("PLB093");
    expect(codeOf(() => requireSupportedNode("18.19.0"))).toBe("PLB093");
  });

  it("accepts 22.12 and later", () => {
    expect(codeOf(() => requireSupportedNode("22.12.0"))).toBe("accepted");
    expect(codeOf(() => requireSupportedNode("24.22.3"))).toBe("accepted");
    expect(codeOf(() => requireSupportedNode("25.0.0"))).toBe("accepted");
  });
});
