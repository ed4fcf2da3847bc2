// The complement of a few hosts in IPv4: disjoint prefixes that cover everything else.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { complementOf } from "./cidr.js";

const toInt = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
const covers = (cidr: string, ip: string) => {
  const [base = "", bits = "32"] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const x = toInt(ip);
  return x >= toInt(base) && x < toInt(base) + size;
};
const ipArb = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((t) => t.join("."));

describe("complementOf", () => {
  it("nothing excluded is the whole space; one host leaves 32 prefixes", () => {
    expect(complementOf([])).toEqual(["0.0.0.0/0"]);
    const one = complementOf(["10.1.2.254"]);
    expect(one).toHaveLength(32);
    expect(one).toContain("10.1.2.255/32");
    expect(one).toContain("128.0.0.0/1");
  });

  it("covers exactly the addresses not excluded (property)", () => {
    fc.assert(
      fc.property(
        fc.array(ipArb, { maxLength: 6 }),
        fc.array(ipArb, { maxLength: 20 }),
        (ex, probes) => {
          const cidrs = complementOf(ex);
          for (const ip of [...ex, ...probes]) {
            const hits = cidrs.filter((c) => covers(c, ip)).length;
            expect(hits).toBe(ex.includes(ip) ? 0 : 1);
          }
        },
      ),
    );
  });
});
