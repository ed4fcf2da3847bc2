// The IP rules (PLB301–PLB304): valid IPv4, inside the domain's subnet, not reserved, unique.
// Where we are stricter than anklume (reserved host numbers, real octets) the test says so.
// Subnet computation itself (PLB305–PLB310): addressing.test.ts.
import { describe, expect, it } from "vitest";
import { checkRule, codes, errorsOf, found, validateText, yml } from "../../tests/kit/infra.js";
import {
  ipsAreNotReserved,
  ipsAreUnique,
  ipsAreValidIPv4,
  ipsInsideDomainSubnet,
} from "./addressing.js";

/** Zone mode: one semi-trusted domain `web` (10.120.0.0/24), machine `w1` with `ip` on line 8. */
const oneIp = (ip: string) => yml`
  project_name: t
  global:
    addressing: {base_octet: 10}
  domains:
    web:
      machines:
        w1:
          ip: "${ip}"
`;
const IP_AT = "infra.yml:8:13";

describe("ipsAreValidIPv4", () => {
  it("accepts a dotted quad", () => {
    const text = oneIp("10.120.0.5");

    expect(checkRule(ipsAreValidIPv4, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it.each(["10.120.0.999", "10.120.0", "10.120.00.5", "10.120.0.5.1", "web-1", " 10.120.0.5"])(
    "rejects '%s' (PLB301) at the ip value",
    (ip) => {
      expect(found(checkRule(ipsAreValidIPv4, oneIp(ip)))).toEqual([
        { code: "PLB301", severity: "error", at: IP_AT },
      ]);
    },
  );

  it("suggests dropping a prefix length (anklume's string-prefix check accepted it)", () => {
    const diagnostics = checkRule(ipsAreValidIPv4, oneIp("10.120.0.5/24"));

    expect(found(diagnostics)).toEqual([{ code: "PLB301", severity: "error", at: IP_AT }]);
    expect(diagnostics[0]?.hint).toContain("ip: 10.120.0.5");
  });

  it("leaves a non-string ip to the schema (anklume crashed on it)", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            w1:
              ip: 5
    `;

    expect(checkRule(ipsAreValidIPv4, text)).toEqual([]);
    expect(found(errorsOf(validateText(text)))).toEqual([
      { code: "PLB102", severity: "error", at: "infra.yml:8:13" },
    ]);
  });

  it("treats an empty ip as absent (an automatic IP is assigned)", () => {
    expect(checkRule(ipsAreValidIPv4, oneIp(""))).toEqual([]);
    expect(errorsOf(validateText(oneIp("")))).toEqual([]);
  });
});

describe("ipsInsideDomainSubnet", () => {
  it("accepts an IP inside the computed /24 (zone and legacy mode)", () => {
    const legacyText = yml`
      project_name: t
      global:
        base_subnet: "10.100"
      domains:
        a:
          subnet_id: 1
          machines:
            a1: {ip: 10.100.1.7}
    `;

    expect(checkRule(ipsInsideDomainSubnet, oneIp("10.120.0.7"))).toEqual([]);
    expect(checkRule(ipsInsideDomainSubnet, legacyText)).toEqual([]);
    expect(errorsOf(validateText(legacyText))).toEqual([]);
  });

  it("rejects an IP in another /24", () => {
    expect(found(checkRule(ipsInsideDomainSubnet, oneIp("10.120.9.1")))).toEqual([
      { code: "PLB302", severity: "error", at: IP_AT },
    ]);
  });

  it("rejects 10.100.10.5 for subnet 10.100.1 (anklume's string-prefix test passed it)", () => {
    const text = yml`
      project_name: t
      global:
        base_subnet: "10.100"
      domains:
        a:
          subnet_id: 1
          machines:
            a1: {ip: 10.100.10.5}
    `;

    expect(found(checkRule(ipsInsideDomainSubnet, text))).toEqual([
      { code: "PLB302", severity: "error", at: "infra.yml:8:16" },
    ]);
  });

  it("uses the zone of the domain's trust level", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10, zone_base: 100}
      domains:
        lab:
          trust_level: disposable
          machines:
            l1: {ip: 10.120.0.5}
            l2: {ip: 10.150.0.5}
    `;

    expect(found(checkRule(ipsInsideDomainSubnet, text))).toEqual([
      { code: "PLB302", severity: "error", at: "infra.yml:8:16" },
    ]);
  });
});

describe("ipsAreNotReserved (stricter than anklume, which accepts .0, .254 and .255)", () => {
  it.each(["10.120.0.1", "10.120.0.99", "10.120.0.253"])("accepts %s", (ip) => {
    expect(checkRule(ipsAreNotReserved, oneIp(ip))).toEqual([]);
    expect(errorsOf(validateText(oneIp(ip)))).toEqual([]);
  });

  it.each([
    ["network address", "10.120.0.0"],
    ["gateway", "10.120.0.254"],
    ["broadcast address", "10.120.0.255"],
  ])("rejects the %s", (_, ip) => {
    expect(found(checkRule(ipsAreNotReserved, oneIp(ip)))).toEqual([
      { code: "PLB303", severity: "error", at: IP_AT },
    ]);
  });

  it("does not judge an IP outside the subnet (PLB302 covers it)", () => {
    expect(checkRule(ipsAreNotReserved, oneIp("10.120.1.254"))).toEqual([]);
  });
});

describe("ipsAreUnique", () => {
  it("accepts distinct IPs, explicit and automatic", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            w1: {}
            w2: {ip: 10.120.0.1}
            w3: {}
    `;

    expect(checkRule(ipsAreUnique, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it("rejects the same IP twice in one domain, at the second ip", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            w1: {ip: 10.120.0.5}
            w2: {ip: 10.120.0.5}
    `;

    expect(found(checkRule(ipsAreUnique, text))).toEqual([
      { code: "PLB304", severity: "error", at: "infra.yml:8:16" },
    ]);
  });

  it("rejects the same IP in two domains (also outside the second one's subnet)", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        db:
          machines:
            d1: {ip: 10.120.0.5}
        web:
          machines:
            w1: {ip: 10.120.0.5}
    `;

    expect(found(checkRule(ipsAreUnique, text))).toEqual([
      { code: "PLB304", severity: "error", at: "infra.yml:10:16" },
    ]);
    expect(codes(errorsOf(validateText(text)))).toEqual(["PLB302", "PLB304"]);
  });

  it("leaves two automatic IPs of domains sharing a subnet_id to PLB305", () => {
    // Both domains get 10.120.3.0/24, so both machines get .1 automatically: the cause is the
    // subnet, not an explicit ip, and PLB305 already reports it.
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        a:
          subnet_id: 3
          machines:
            a1: {}
        b:
          subnet_id: 3
          machines:
            b1: {}
    `;

    expect(checkRule(ipsAreUnique, text)).toEqual([]);
    expect(codes(validateText(text).diagnostics)).toEqual(["PLB305"]);
  });

  it("reports an automatic IP taken by another domain's explicit IP at the machine key", () => {
    // web (seq 1) is declared first and claims db's 10.120.0.1; db's d1 is then given .1.
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          machines:
            w1: {ip: 10.120.0.1}
        db:
          machines:
            d1: {}
    `;

    const diagnostics = checkRule(ipsAreUnique, text);

    expect(found(diagnostics)).toEqual([
      { code: "PLB304", severity: "error", at: "infra.yml:10:7" },
    ]);
    expect(diagnostics[0]?.hint).toContain("explicit ip");
  });
});
