// Names: what anklume checks (form, global uniqueness of machines) and what it misses (Linux and
// Incus length limits, names that collide with generated files or Ansible's own groups).
import type { Diagnostic } from "../../core/diagnostics.js";
import type { Rule } from "./context.js";
import { machinePath } from "./context.js";

export const NAME_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** Linux IFNAMSIZ - 1 = 15 characters for `net-<domain>`. */
export const MAX_DOMAIN_NAME = 15 - "net-".length;
/** Incus instance names are hostnames: at most 63 characters. */
export const MAX_MACHINE_NAME = 63;
/** Ansible's implicit groups: a domain with such a name would merge into them. */
export const RESERVED_GROUPS = new Set(["all", "ungrouped"]);

function nameHint(name: string): string {
  const fixed = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return fixed && fixed !== name && NAME_RE.test(fixed)
    ? `lowercase letters, digits and hyphens only; e.g. '${fixed}'`
    : "lowercase letters, digits and hyphens; start and end with a letter or digit";
}

export const domainNamesAreValid: Rule = (ctx) =>
  ctx.domains
    .filter((d) => !NAME_RE.test(d.name))
    .map((d) => ({
      code: "PLB201",
      severity: "error",
      message: `invalid domain name '${d.name}'`,
      hint: nameHint(d.name),
      path: ["domains", d.name],
      target: "key",
    }));

export const machineNamesAreValid: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const m of ctx.machines) {
    if (!NAME_RE.test(m.name)) {
      out.push({
        code: "PLB201",
        severity: "error",
        message: `invalid machine name '${m.name}'`,
        hint: nameHint(m.name),
        path: machinePath(m),
        target: "key",
      });
    } else if (/^[0-9]+$/.test(m.name)) {
      out.push({
        code: "PLB201",
        severity: "error",
        message: `machine name '${m.name}' is a number`,
        hint: `Incus rejects instance names made only of digits; add a letter, e.g. 'm${m.name}'`,
        path: machinePath(m),
        target: "key",
      });
    }
  }
  return out;
};

export const namesFitLinuxAndIncus: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const d of ctx.domains) {
    if (d.name.length > MAX_DOMAIN_NAME) {
      out.push({
        code: "PLB202",
        severity: "error",
        message: `domain name '${d.name}' has ${d.name.length} characters; its bridge 'net-${d.name}' would exceed Linux's 15-character interface names`,
        hint: `use at most ${MAX_DOMAIN_NAME} characters, e.g. '${d.name.slice(0, MAX_DOMAIN_NAME).replace(/-+$/, "")}'`,
        path: ["domains", d.name],
        target: "key",
      });
    }
  }
  for (const m of ctx.machines) {
    if (m.name.length > MAX_MACHINE_NAME) {
      out.push({
        code: "PLB202",
        severity: "error",
        message: `machine name '${m.name.slice(0, 20)}…' has ${m.name.length} characters; Incus instance names have at most ${MAX_MACHINE_NAME}`,
        hint: `shorten it to ${MAX_MACHINE_NAME} characters or fewer`,
        path: machinePath(m),
        target: "key",
      });
    }
  }
  return out;
};

export const machineNamesAreUnique: Rule = (ctx) => {
  const seen = new Map<string, string>();
  const out: Diagnostic[] = [];
  for (const m of ctx.machines) {
    const first = seen.get(m.name);
    if (first !== undefined) {
      out.push({
        code: "PLB203",
        severity: "error",
        message: `machine '${m.name}' is already declared in domain '${first}'`,
        hint: "machine names are global (Incus instance and Ansible host names); rename one",
        path: machinePath(m),
        target: "key",
      });
    } else seen.set(m.name, m.domain.name);
  }
  return out;
};

export const namesDoNotCollide: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  const domainNames = new Set(ctx.domains.map((d) => d.name));
  for (const d of ctx.domains) {
    if (RESERVED_GROUPS.has(d.name)) {
      out.push({
        code: "PLB204",
        severity: "error",
        message: `domain '${d.name}' would be Ansible's built-in group '${d.name}'${d.name === "all" ? " and overwrite group_vars/all.yml" : ""}`,
        hint: "rename the domain",
        path: ["domains", d.name],
        target: "key",
      });
    }
    if (d.name === "host") {
      out.push({
        code: "PLB204",
        severity: "error",
        message:
          "domain 'host' would be ambiguous in network policies, where 'host' means the Incus host",
        hint: "rename the domain",
        path: ["domains", d.name],
        target: "key",
      });
    }
  }
  // A machine named `host` or like a domain is ambiguous only where a network policy names it
  // (`host` is the Incus host there, a domain name its whole bridge): an error at that policy,
  // a warning otherwise (anklume accepts both).
  const named = new Map<string, number[]>();
  for (const { index, value } of ctx.policies)
    for (const side of ["from", "to"] as const) {
      const v = value[side];
      if (typeof v === "string") named.set(v, [...(named.get(v) ?? []), index]);
    }
  for (const m of ctx.machines) {
    if (m.name === "localhost") {
      out.push({
        code: "PLB204",
        severity: "error",
        message:
          "machine 'localhost' would be ambiguous: Ansible's implicit 'localhost' is the control node",
        hint: "rename the machine",
        path: machinePath(m),
        target: "key",
      });
      continue;
    }
    const clash =
      m.name === "host"
        ? "'host' means the Incus host in network policies"
        : domainNames.has(m.name)
          ? `domain '${m.name}' has the same name`
          : undefined;
    if (clash === undefined) continue;
    const policies = named.get(m.name) ?? [];
    if (policies.length === 0) {
      out.push({
        code: "PLB204",
        severity: "warning",
        message: `machine '${m.name}': ${clash}; no network policy names it, so nothing is ambiguous yet`,
        hint: `a policy naming '${m.name}' would be refused; renaming the machine (e.g. '${m.name}-1') avoids it`,
        path: machinePath(m),
        target: "key",
      });
      continue;
    }
    for (const index of policies) {
      const side =
        ctx.policies.find((p) => p.index === index)?.value.from === m.name ? "from" : "to";
      out.push({
        code: "PLB204",
        severity: "error",
        message: `network_policies[${index}] names '${m.name}', which is ambiguous: machine '${m.name}' exists and ${clash}`,
        hint: `rename the machine (e.g. '${m.name}-1'), then name it or the ${m.name === "host" ? "host" : "domain"} unambiguously`,
        path: ["network_policies", index, side],
      });
    }
  }
  return out;
};
