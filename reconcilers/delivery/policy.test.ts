import { describe, expect, it } from "vitest";
import { parseContractsPolicy } from "./policy.js";

describe("parseContractsPolicy", () => {
  it("defaults to stop, reads continue, ignores other keys", () => {
    expect(parseContractsPolicy("network_policies: []\n").onFailure).toBe("stop");
    expect(parseContractsPolicy("contracts:\n").onFailure).toBe("stop");
    expect(
      parseContractsPolicy("approvals: {}\ncontracts: {on_failure: continue}\n").onFailure,
    ).toBe("continue");
  });
  it("refuses a bad value with file:line:column", () => {
    expect(() => parseContractsPolicy("contracts:\n  on_failure: maybe\n")).toThrowError(
      expect.objectContaining({
        code: "PLB787",
        message: expect.stringContaining("infra/policies.yml:2:15"),
      }),
    );
    expect(() => parseContractsPolicy("contracts:\n  retry: 3\n")).toThrowError(
      /unknown key contracts.retry/,
    );
  });
});
