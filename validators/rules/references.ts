// References: profiles, network policy endpoints, AI access, the firewall VM's domain.
import type { Diagnostic } from "../../core/diagnostics.js";
import { isRecord } from "../../core/model/addressing.js";
import { didYouMean } from "../../core/suggest.js";
import type { Rule, RuleContext } from "./context.js";
import { machinePath } from "./context.js";

export const profilesResolve: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const m of ctx.machines) {
    if (!Array.isArray(m.value.profiles)) continue;
    const defined = isRecord(m.domain.value.profiles) ? Object.keys(m.domain.value.profiles) : [];
    m.value.profiles.forEach((p, i) => {
      if (typeof p !== "string" || p === "default" || defined.includes(p)) return;
      const inOther = ctx.domains.find(
        (d) => d !== m.domain && isRecord(d.value.profiles) && Object.hasOwn(d.value.profiles, p),
      );
      out.push({
        code: "PLB401",
        severity: "error",
        message: `profile '${p}' is not defined in domain '${m.domain.name}'`,
        hint:
          didYouMean(p, ["default", ...defined]) ??
          (inOther
            ? `'${p}' is defined in domain '${inOther.name}'; profiles are per domain (Incus project), so define it under domains.${m.domain.name}.profiles`
            : `define it under domains.${m.domain.name}.profiles, or use 'default'`),
        path: machinePath(m, "profiles", i),
      });
    });
  }
  return out;
};

function endpoints(ctx: RuleContext): Set<string> {
  return new Set(["host", ...ctx.domains.map((d) => d.name), ...ctx.machines.map((m) => m.name)]);
}

export const policyEndpointsResolve: Rule = (ctx) => {
  const known = endpoints(ctx);
  const out: Diagnostic[] = [];
  for (const { index, value } of ctx.policies) {
    for (const side of ["from", "to"] as const) {
      const v = value[side];
      if (typeof v !== "string" || known.has(v)) continue;
      out.push({
        code: "PLB402",
        severity: "error",
        message: `network_policies[${index}].${side}: '${v}' is not a domain, a machine or 'host'`,
        hint: didYouMean(v, known) ?? "name a declared domain or machine, or 'host'",
        path: ["network_policies", index, side],
      });
    }
  }
  return out;
};

export const policiesAvoidDisabledDomains: Rule = (ctx) => {
  const disabled = new Set(ctx.domains.filter((d) => !d.enabled).map((d) => d.name));
  const out: Diagnostic[] = [];
  for (const { index, value } of ctx.policies) {
    for (const side of ["from", "to"] as const) {
      const v = value[side];
      if (typeof v === "string" && disabled.has(v)) {
        out.push({
          code: "PLB403",
          severity: "warning",
          message: `network_policies[${index}].${side} names disabled domain '${v}'`,
          hint: `the policy has no effect until domains.${v}.enabled is true`,
          path: ["network_policies", index, side],
        });
      }
    }
  }
  return out;
};

export const policiesAreNotSelfLoops: Rule = (ctx) =>
  ctx.policies
    .filter(({ value }) => typeof value.from === "string" && value.from === value.to)
    .map(({ index, value }) => ({
      code: "PLB404",
      severity: "warning",
      message: `network_policies[${index}] goes from '${String(value.from)}' to itself`,
      hint: "traffic inside a domain is always allowed; remove the policy or fix 'to'",
      path: ["network_policies", index, "to"],
    }));

export const AI_TOOLS = "ai-tools";

export const aiAccessPolicyHolds: Rule = (ctx) => {
  if (ctx.global.ai_access_policy !== "exclusive") return [];
  const out: Diagnostic[] = [];
  const names = ctx.domains.map((d) => d.name);
  const def = ctx.global.ai_access_default;
  if (def === undefined) {
    out.push({
      code: "PLB405",
      severity: "error",
      message: "ai_access_policy is 'exclusive' but ai_access_default is not set",
      hint: "set global.ai_access_default to the domain that gets AI access first",
      path: ["global", "ai_access_policy"],
    });
  } else if (typeof def === "string" && def === AI_TOOLS) {
    out.push({
      code: "PLB405",
      severity: "error",
      message: "ai_access_default cannot be 'ai-tools' itself",
      hint: "name the client domain",
      path: ["global", "ai_access_default"],
    });
  } else if (typeof def === "string" && !names.includes(def)) {
    out.push({
      code: "PLB405",
      severity: "error",
      message: `ai_access_default '${def}' is not a declared domain`,
      hint: didYouMean(def, names) ?? "name a declared domain",
      path: ["global", "ai_access_default"],
    });
  }
  if (!names.includes(AI_TOOLS)) {
    out.push({
      code: "PLB405",
      severity: "error",
      message: "ai_access_policy is 'exclusive' but no 'ai-tools' domain exists",
      hint: "declare the ai-tools domain, or set ai_access_policy: open",
      path: ["global", "ai_access_policy"],
    });
  }
  const toAi = ctx.policies.filter(({ value }) => value.to === AI_TOOLS);
  for (const extra of toAi.slice(1)) {
    out.push({
      code: "PLB405",
      severity: "error",
      message: `only one network policy may target 'ai-tools' under exclusive AI access (first: network_policies[${toAi[0]?.index}])`,
      hint: "exclusive access means one client domain at a time; remove this policy",
      path: ["network_policies", extra.index, "to"],
    });
  }
  return out;
};

export const FIREWALL_DOMAIN = "anklume";

export const firewallVmHasDomain: Rule = (ctx) => {
  if (ctx.global.firewall_mode !== "vm") return [];
  const hasFw = ctx.machines.some(
    (m) => m.name === "anklume-firewall" || m.name === "sys-firewall",
  );
  if (hasFw || ctx.domains.some((d) => d.name === FIREWALL_DOMAIN)) return [];
  return [
    {
      code: "PLB406",
      severity: "error",
      message: "firewall_mode is 'vm' but there is no 'anklume' domain to hold the firewall VM",
      hint: "declare domains.anklume (trust_level: admin), or set firewall_mode: host",
      path: ["global", "firewall_mode"],
    },
  ];
};
