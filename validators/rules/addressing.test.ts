// Addressing rules: what core/model/addressing.ts computes is judged here (PLB305–PLB310;
// the per-machine IP rules PLB301–PLB304 are in ip-rules.test.ts).
// anklume's own edge cases are included, and the ones where we are stricter than anklume
// (reserved host numbers, real octets) say so.
import { describe, expect, it } from "vitest";
import { checkRule, codes, errorsOf, found, validateText, yml } from "../../tests/kit/infra.js";
import { addressingIsComputable } from "./addressing.js";

/** Legacy mode: domain `a` (line 5) with `subnet_id: <v>` on line 6 (value at column 16). */
const legacy = (subnetId: string) => yml`
  project_name: t
  global:
    base_subnet: "10.100"
  domains:
    a:
      subnet_id: ${subnetId}
`;

describe("addressingIsComputable", () => {
  describe("subnet_id (legacy mode)", () => {
    it("accepts subnet_id 0 and 254", () => {
      const text = yml`
        project_name: t
        global:
          base_subnet: "10.100"
        domains:
          a:
            subnet_id: 0
          b:
            subnet_id: 254
      `;

      expect(checkRule(addressingIsComputable, text)).toEqual([]);
      expect(errorsOf(validateText(text))).toEqual([]);
    });

    it.each([
      ["255", "PLB104"],
      ["-1", "PLB104"],
      ['"1"', "PLB102"],
      ["1.5", "PLB102"],
    ] as const)("leaves subnet_id %s to the schema (%s), without a second report", (v, code) => {
      const text = legacy(v);

      expect(checkRule(addressingIsComputable, text)).toEqual([]);
      expect(found(errorsOf(validateText(text)))).toEqual([
        { code, severity: "error", at: "infra.yml:6:16" },
      ]);
    });

    it("requires subnet_id in legacy mode (PLB306 at the domain key)", () => {
      const text = yml`
        project_name: t
        global: {}
        domains:
          a:
            description: no subnet
      `;

      expect(found(checkRule(addressingIsComputable, text))).toEqual([
        { code: "PLB306", severity: "error", at: "infra.yml:4:3" },
      ]);
    });

    it("reports subnet_id reused across domains at the second one", () => {
      const text = yml`
        project_name: t
        global: {}
        domains:
          a:
            subnet_id: 3
          b:
            subnet_id: 3
      `;

      expect(found(checkRule(addressingIsComputable, text))).toEqual([
        { code: "PLB305", severity: "error", at: "infra.yml:7:16" },
      ]);
    });
  });

  describe("subnet_id (zone mode)", () => {
    it("is optional, and the same subnet_id in different zones is fine", () => {
      const text = yml`
        project_name: t
        global:
          addressing: {base_octet: 10}
        domains:
          web:
            trust_level: trusted
            subnet_id: 3
          db:
            trust_level: admin
            subnet_id: 3
          ci: {}
      `;

      expect(checkRule(addressingIsComputable, text)).toEqual([]);
      expect(errorsOf(validateText(text))).toEqual([]);
    });

    it("rejects the same subnet_id twice in one zone, at the domain later by name", () => {
      // `web` is declared first, but domains are visited by name: `db` keeps 3.
      const text = yml`
        project_name: t
        global:
          addressing: {base_octet: 10}
        domains:
          web:
            subnet_id: 3
          db:
            trust_level: semi-trusted
            subnet_id: 3
      `;

      const diagnostics = checkRule(addressingIsComputable, text);

      expect(found(diagnostics)).toEqual([
        { code: "PLB305", severity: "error", at: "infra.yml:6:16" },
      ]);
      expect(diagnostics[0]?.message).toContain("'db'");
    });
  });

  describe("zone_base", () => {
    it("accepts zone_base 250 while only the admin zone (10.250) is used", () => {
      const text = yml`
        project_name: t
        global:
          addressing: {base_octet: 10, zone_base: 250}
        domains:
          a:
            trust_level: admin
      `;

      expect(checkRule(addressingIsComputable, text)).toEqual([]);
    });

    it("rejects zone_base 250 once a zone's second octet passes 255 (PLB307)", () => {
      const text = yml`
        project_name: t
        global:
          addressing:
            zone_base: 250
        domains:
          a:
            trust_level: trusted
      `;

      expect(found(checkRule(addressingIsComputable, text))).toEqual([
        { code: "PLB307", severity: "error", at: "infra.yml:4:16" },
      ]);
      // The schema's range (0–245) reports the same value independently.
      expect(codes(validateText(text).diagnostics)).toEqual(["PLB104", "PLB307"]);
    });
  });

  describe("domains per zone", () => {
    /** `n` semi-trusted domains d000, d001, …, one per line from line 5. */
    const manyDomains = (n: number) =>
      [
        "project_name: t",
        "global:",
        "  addressing: {base_octet: 10}",
        "domains:",
        ...Array.from({ length: n }, (_, i) => `  d${String(i).padStart(3, "0")}: {}`),
        "",
      ].join("\n");

    it("fits 255 domains in one zone (sequence 0–254)", () => {
      const text = manyDomains(255);

      expect(checkRule(addressingIsComputable, text)).toEqual([]);
      expect(errorsOf(validateText(text))).toEqual([]);
    });

    it("rejects the 256th domain of a zone (PLB308) at its key", () => {
      const diagnostics = checkRule(addressingIsComputable, manyDomains(256));

      // d255 is on line 5 + 255.
      expect(found(diagnostics)).toEqual([
        { code: "PLB308", severity: "error", at: "infra.yml:260:3" },
      ]);
    });
  });

  describe("base_subnet (legacy mode)", () => {
    it.each(['"10.100"', '"172.16"', '"192.168"'])("accepts %s", (v) => {
      const text = yml`
        project_name: t
        global:
          base_subnet: ${v}
        domains:
          a:
            subnet_id: 1
      `;

      expect(checkRule(addressingIsComputable, text)).toEqual([]);
      expect(errorsOf(validateText(text))).toEqual([]);
    });

    it("defaults to 10.100 when absent", () => {
      expect(
        checkRule(addressingIsComputable, legacy("1").replace(/ {2}base_subnet.*\n/, "")),
      ).toEqual([]);
    });

    it.each(['"10"', '"10.300"', '"a.b"', '"10.1.2"', '"10.01"', "10.1"])(
      "rejects base_subnet %s (PLB310) at its value",
      (v) => {
        const text = yml`
          project_name: t
          global:
            base_subnet: ${v}
          domains:
            a:
              subnet_id: 1
        `;

        expect(found(checkRule(addressingIsComputable, text))).toEqual([
          { code: "PLB310", severity: "error", at: "infra.yml:3:16" },
        ]);
      },
    );
  });

  describe("automatic IPs", () => {
    /** One domain with `auto` machines without ip (from line 8) after `explicit` lines. */
    const autoMachines = (auto: number, explicit: string[] = []) =>
      [
        "project_name: t",
        "global:",
        "  addressing: {base_octet: 10}",
        "domains:",
        "  web:",
        "    machines:",
        ...explicit.map((ip, i) => `      x${i}: {ip: ${ip}}`),
        ...Array.from({ length: auto }, (_, i) => `      m${i + 1}: {}`),
        "",
      ].join("\n");

    it("assigns .1–.99: 99 machines fit", () => {
      const text = autoMachines(99);

      expect(checkRule(addressingIsComputable, text)).toEqual([]);
      expect(errorsOf(validateText(text))).toEqual([]);
    });

    it("rejects the 100th automatic IP (PLB309) at that machine's key", () => {
      const diagnostics = checkRule(addressingIsComputable, autoMachines(100));

      // m100 is on line 6 + 100.
      expect(found(diagnostics)).toEqual([
        { code: "PLB309", severity: "error", at: "infra.yml:106:7" },
      ]);
    });

    it("counts explicit IPs inside .1–.99 as taken, but not those above", () => {
      const inside = checkRule(addressingIsComputable, autoMachines(99, ["10.120.0.50"]));
      const above = checkRule(addressingIsComputable, autoMachines(99, ["10.120.0.150"]));

      // x0 is line 7, m99 line 7 + 99.
      expect(found(inside)).toEqual([{ code: "PLB309", severity: "error", at: "infra.yml:106:7" }]);
      expect(above).toEqual([]);
    });

    it("assigns no IPs in legacy mode, so there is nothing to exhaust", () => {
      const text = [
        "project_name: t",
        "global: {}",
        "domains:",
        "  a:",
        "    subnet_id: 1",
        "    machines:",
        ...Array.from({ length: 120 }, (_, i) => `      m${i + 1}: {}`),
        "",
      ].join("\n");

      expect(checkRule(addressingIsComputable, text)).toEqual([]);
    });
  });
});
