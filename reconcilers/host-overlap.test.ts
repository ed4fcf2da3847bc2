// The host-network guard: bridges whose subnet the host uses are refused (PLB714).
import { describe, expect, it } from "vitest";
import { PlumbError } from "../core/errors.js";
import { parseProcRoute } from "./drivers/host/host-networks.js";
import { checkHostOverlap, overlaps } from "./host-overlap.js";
import { desiredFor, estateFromYaml } from "./testing/estate-kit.js";

const desired = desiredFor(
  estateFromYaml(
    "project_name: lab\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  web: {}\n",
  ),
  { bridgeAddresses: "declared" },
).objects; // net-web: 10.120.0.254/24

describe("host network overlap", () => {
  it("overlaps() compares CIDR ranges", () => {
    expect(overlaps("10.120.0.254/24", "10.120.0.0/16")).toBe(true);
    expect(overlaps("10.120.0.254/24", "10.120.0.7/32")).toBe(true);
    expect(overlaps("10.120.0.254/24", "10.121.0.0/24")).toBe(false);
    expect(overlaps("10.120.0.254/24", "bogus")).toBe(false);
  });

  it("refuses a bridge on a host LAN, ignoring the default route and Incus's own bridges", () => {
    const err = (() => {
      try {
        checkHostOverlap(
          desired,
          [{ ifname: "eth0", cidr: "10.120.0.0/16", source: "route" }],
          new Set(),
        );
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PlumbError);
    expect((err as PlumbError).code).toBe("PLB714");
    expect((err as PlumbError).message).toContain(
      "net-web (10.120.0.254/24) overlaps 10.120.0.0/16 (route on eth0)",
    );
    const fine = [
      { ifname: "eth0", cidr: "0.0.0.0/0", source: "route" as const },
      { ifname: "net-web", cidr: "10.120.0.254/24", source: "address" as const },
      { ifname: "eth0", cidr: "192.0.2.2/24", source: "address" as const },
    ];
    expect(() => checkHostOverlap(desired, fine, new Set(["net-web"]))).not.toThrow();
  });

  it("address-less bridges never overlap", () => {
    const none = desiredFor(
      estateFromYaml(
        "project_name: lab\nglobal: {addressing: {base_octet: 10}}\ndomains:\n  web: {}\n",
      ),
    ).objects;
    expect(() =>
      checkHostOverlap(none, [{ ifname: "eth0", cidr: "10.0.0.0/8", source: "route" }], new Set()),
    ).not.toThrow();
  });

  it("reads /proc/net/route (little-endian hex)", () => {
    const text =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
      "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
      "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
    expect(parseProcRoute(text)).toEqual([
      { ifname: "eth0", cidr: "0.0.0.0/0", source: "route" },
      { ifname: "eth0", cidr: "192.0.2.0/24", source: "route" },
    ]);
  });
});
