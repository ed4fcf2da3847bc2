import { describe, expect, it } from "vitest";
import { PlumbError } from "../../core/errors.js";
import type { ContractChange } from "../plan/contract-change.js";
import { estateFromYaml } from "../testing/estate-kit.js";
import { resolveInputs } from "./apply-phase.js";

const estate = estateFromYaml(`
project_name: lab
global: {addressing: {base_octet: 10}}
domains:
  web:
    machines:
      w1:
        contracts:
          - template: motd
            inputs: {banner: {secret: BANNER}, owner: ops}
`);

const change = { machine: "w1", name: "motd" } as ContractChange;

describe("resolveInputs", () => {
  it("resolves secret references at apply and lists their values for scrubbing", () => {
    const asked: string[] = [];
    const r = resolveInputs(estate, change, (name) => {
      asked.push(name);
      return "s3cret";
    });
    expect(r).toEqual({ values: { banner: "s3cret", owner: "ops" }, secrets: ["s3cret"] });
    expect(asked).toEqual(["BANNER"]);
  });

  it("a contract the estate no longer declares is PLB786", () => {
    expect(() =>
      resolveInputs(estate, { machine: "w1", name: "gone" } as ContractChange, () => ""),
    ).toThrowError(expect.objectContaining({ code: "PLB786" }));
  });

  it("a secret without a value fails with the resolver's error, naming no value", () => {
    expect(() =>
      resolveInputs(estate, change, () => {
        throw new PlumbError("PLB771", "secret 'BANNER' has no value");
      }),
    ).toThrowError(/BANNER/);
  });
});
