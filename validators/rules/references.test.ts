// Reference rules: profiles, policy endpoints, disabled domains, self-loops, AI access and the
// firewall VM's domain.
import { describe, expect, it } from "vitest";
import { checkRule, errorsOf, found, validateText, yml } from "../../tests/kit/infra.js";
import {
  aiAccessPolicyHolds,
  firewallVmHasDomain,
  policiesAreNotSelfLoops,
  policiesAvoidDisabledDomains,
  policyEndpointsResolve,
  profilesResolve,
} from "./references.js";

describe("profilesResolve", () => {
  it("accepts 'default' (never declared) and profiles of the machine's own domain", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          profiles:
            big:
              config: {limits.cpu: "4"}
          machines:
            w1: {profiles: [default, big]}
    `;

    expect(checkRule(profilesResolve, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it("rejects an unknown profile at its list item, with a did-you-mean hint", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web:
          profiles:
            big: {}
          machines:
            w1:
              profiles:
                - default
                - bgi
    `;

    const diagnostics = checkRule(profilesResolve, text);

    expect(found(diagnostics)).toEqual([
      { code: "PLB401", severity: "error", at: "infra.yml:12:13" },
    ]);
    expect(diagnostics[0]?.hint).toBe("did you mean 'big'?");
  });

  it("rejects a profile defined only in another domain and names that domain", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        gpu:
          profiles:
            nvidia: {}
        web:
          machines:
            w1: {profiles: [nvidia]}
    `;

    const diagnostics = checkRule(profilesResolve, text);

    expect(found(diagnostics)).toEqual([
      { code: "PLB401", severity: "error", at: "infra.yml:10:23" },
    ]);
    expect(diagnostics[0]?.hint).toContain("domain 'gpu'");
  });

  it("does not claim an Object.prototype member is a profile of another domain", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        db:
          profiles:
            big: {}
        web:
          machines:
            w1: {profiles: [constructor]}
    `;

    const diagnostics = checkRule(profilesResolve, text);

    expect(found(diagnostics)).toEqual([
      { code: "PLB401", severity: "error", at: "infra.yml:10:23" },
    ]);
    expect(diagnostics[0]?.hint).not.toContain("domain 'db'");
  });

  it("does not crash on `profiles: null`, `machines: null` or a missing `machines`", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        a:
          profiles: null
          machines:
            a1: {profiles: [default]}
        b:
          machines: null
        c:
          description: no machines key
    `;

    expect(checkRule(profilesResolve, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it("resolves `profiles: null` to no profiles, so a named profile is unknown", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        a:
          profiles: null
          machines:
            a1: {profiles: [big]}
    `;

    expect(found(checkRule(profilesResolve, text))).toEqual([
      { code: "PLB401", severity: "error", at: "infra.yml:8:23" },
    ]);
  });
});

/** Zone mode, domains `web` (machine w1) and `db` (machine d1); policy lines from line 12. */
const withPolicies = (...policies: string[]) => yml`
  project_name: t
  global:
    addressing: {base_octet: 10}
  domains:
    web:
      machines:
        w1: {}
    db:
      machines:
        d1: {}
  network_policies:
  ${policies.join("\n")}
`;

describe("policyEndpointsResolve", () => {
  it("accepts domains, machines and 'host'; missing ports/protocol; a domain to its own machine", () => {
    const text = withPolicies(
      "  - {from: web, to: db, ports: [5432], protocol: tcp}",
      "  - {from: host, to: w1}",
      "  - {from: d1, to: host, ports: all}",
      "  - {from: web, to: w1}",
    );

    expect(checkRule(policyEndpointsResolve, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it("rejects an unknown endpoint at that side's value, suggesting the closest name", () => {
    const text = withPolicies("  - from: web", "    to: dbb");

    const diagnostics = checkRule(policyEndpointsResolve, text);

    expect(found(diagnostics)).toEqual([
      { code: "PLB402", severity: "error", at: "infra.yml:13:9" },
    ]);
    expect(diagnostics[0]?.hint).toBe("did you mean 'db'?");
  });

  it("checks both sides of every policy", () => {
    const text = withPolicies("  - {from: nope, to: web}", "  - {from: web, to: nada}");

    expect(found(checkRule(policyEndpointsResolve, text))).toEqual([
      { code: "PLB402", severity: "error", at: "infra.yml:12:12" },
      { code: "PLB402", severity: "error", at: "infra.yml:13:21" },
    ]);
  });
});

describe("policiesAvoidDisabledDomains", () => {
  it("is silent for enabled domains", () => {
    const text = withPolicies("  - {from: web, to: db}");

    expect(checkRule(policiesAvoidDisabledDomains, text)).toEqual([]);
  });

  it("warns when a policy names a disabled domain", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web: {}
        old:
          enabled: false
      network_policies:
        - {from: web, to: old}
    `;

    expect(found(checkRule(policiesAvoidDisabledDomains, text))).toEqual([
      { code: "PLB403", severity: "warning", at: "infra.yml:9:21" },
    ]);
    expect(validateText(text).ok).toBe(true);
  });
});

describe("policiesAreNotSelfLoops", () => {
  it("accepts a policy between two endpoints", () => {
    expect(checkRule(policiesAreNotSelfLoops, withPolicies("  - {from: web, to: db}"))).toEqual([]);
  });

  it("warns about a policy from an endpoint to itself, at `to`", () => {
    const text = withPolicies("  - {from: web, to: web}");

    expect(found(checkRule(policiesAreNotSelfLoops, text))).toEqual([
      { code: "PLB404", severity: "warning", at: "infra.yml:12:21" },
    ]);
  });
});

describe("aiAccessPolicyHolds", () => {
  /** Exclusive AI access; the given global lines follow `ai_access_policy` (line 4). */
  const exclusive = (globalLines: string, domains: string, policies = "") => yml`
    project_name: t
    global:
      addressing: {base_octet: 10}
      ai_access_policy: exclusive
    ${globalLines}
    domains:
    ${domains}
    ${policies}
  `;

  it("accepts a default client domain, an ai-tools domain and one policy to it", () => {
    const text = exclusive(
      "  ai_access_default: work",
      "  work: {}\n  ai-tools: {}",
      "network_policies:\n  - {from: work, to: ai-tools, ports: all}",
    );

    expect(checkRule(aiAccessPolicyHolds, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it("ignores everything under the default open policy", () => {
    const text = yml`
      project_name: t
      global:
        addressing: {base_octet: 10}
      domains:
        web: {}
      network_policies:
        - {from: web, to: ai-tools}
    `;

    expect(checkRule(aiAccessPolicyHolds, text)).toEqual([]);
  });

  it("requires ai_access_default (reported at ai_access_policy)", () => {
    const text = exclusive("", "  ai-tools: {}");

    expect(found(checkRule(aiAccessPolicyHolds, text))).toEqual([
      { code: "PLB405", severity: "error", at: "infra.yml:4:21" },
    ]);
  });

  it("rejects ai_access_default: ai-tools", () => {
    const text = exclusive("  ai_access_default: ai-tools", "  ai-tools: {}");

    expect(found(checkRule(aiAccessPolicyHolds, text))).toEqual([
      { code: "PLB405", severity: "error", at: "infra.yml:5:22" },
    ]);
  });

  it("rejects an ai_access_default that is not a domain, with a suggestion", () => {
    const text = exclusive("  ai_access_default: wrok", "  work: {}\n  ai-tools: {}");

    const diagnostics = checkRule(aiAccessPolicyHolds, text);

    expect(found(diagnostics)).toEqual([
      { code: "PLB405", severity: "error", at: "infra.yml:5:22" },
    ]);
    expect(diagnostics[0]?.hint).toBe("did you mean 'work'?");
  });

  it("requires an ai-tools domain", () => {
    const text = exclusive("  ai_access_default: work", "  work: {}");

    expect(found(checkRule(aiAccessPolicyHolds, text))).toEqual([
      { code: "PLB405", severity: "error", at: "infra.yml:4:21" },
    ]);
  });

  it("allows at most one policy to ai-tools; the second is reported at its `to`", () => {
    const text = exclusive(
      "  ai_access_default: work",
      "  work: {}\n  play: {}\n  ai-tools: {}",
      "network_policies:\n  - {from: work, to: ai-tools}\n  - {from: play, to: ai-tools}",
    );

    expect(found(checkRule(aiAccessPolicyHolds, text))).toEqual([
      { code: "PLB405", severity: "error", at: "infra.yml:12:22" },
    ]);
  });
});

describe("firewallVmHasDomain", () => {
  const firewall = (mode: string, domains: string) => yml`
    project_name: t
    global:
      addressing: {base_octet: 10}
      firewall_mode: ${mode}
    domains:
    ${domains}
  `;

  it("accepts firewall_mode vm with an 'anklume' domain", () => {
    const text = firewall("vm", "  anklume:\n    trust_level: admin");

    expect(checkRule(firewallVmHasDomain, text)).toEqual([]);
    expect(errorsOf(validateText(text))).toEqual([]);
  });

  it("accepts firewall_mode vm when the user declares the firewall machine elsewhere", () => {
    const text = firewall("vm", "  net:\n    machines:\n      anklume-firewall: {type: vm}");

    expect(checkRule(firewallVmHasDomain, text)).toEqual([]);
  });

  it("ignores firewall_mode host", () => {
    expect(checkRule(firewallVmHasDomain, firewall("host", "  web: {}"))).toEqual([]);
  });

  it("rejects firewall_mode vm without an 'anklume' domain, at firewall_mode", () => {
    expect(found(checkRule(firewallVmHasDomain, firewall("vm", "  web: {}")))).toEqual([
      { code: "PLB406", severity: "error", at: "infra.yml:4:18" },
    ]);
  });
});
