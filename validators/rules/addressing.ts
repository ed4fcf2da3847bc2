// Addressing rules. The numbers come from core/model/addressing.ts (shared with the generator
// and the reconcilers); these rules only judge them.
import type { Diagnostic } from "../../core/diagnostics.js";
import { GATEWAY_HOST, parseIPv4 } from "../../core/model/addressing.js";
import type { Rule } from "./context.js";
import { machinePath } from "./context.js";

/** Subnet/sequence problems found while computing addresses (PLB305–PLB310). */
export const addressingIsComputable: Rule = (ctx) =>
  ctx.addressing.problems.map((p) => ({
    code: p.code,
    severity: "error",
    message: p.message,
    ...(p.hint ? { hint: p.hint } : {}),
    path: p.path,
    ...(p.target ? { target: p.target } : {}),
  }));

export const ipsAreValidIPv4: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const m of ctx.machines) {
    const ip = m.value.ip;
    if (typeof ip !== "string" || ip === "" || parseIPv4(ip)) continue; // non-strings: schema
    const hint = ip.includes("/")
      ? `drop the prefix length: ip: ${ip.split("/")[0]} (the domain's /24 is implied)`
      : "write four decimal octets 0-255 without leading zeros, e.g. 10.120.0.5";
    out.push({
      code: "PLB301",
      severity: "error",
      message: `'${ip}' is not an IPv4 address`,
      hint,
      path: machinePath(m, "ip"),
    });
  }
  return out;
};

export const ipsInsideDomainSubnet: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const m of ctx.machines) {
    const parts = parseIPv4(m.value.ip);
    const addr = ctx.addressing.domains.get(m.domain.name);
    if (!parts || !addr) continue;
    if (`${parts[0]}.${parts[1]}.${parts[2]}` !== addr.prefix) {
      out.push({
        code: "PLB302",
        severity: "error",
        message: `ip ${String(m.value.ip)} is outside domain '${m.domain.name}' subnet ${addr.subnet}`,
        hint: `use an address in ${addr.prefix}.1-${addr.prefix}.253, or remove ip to get one automatically`,
        path: machinePath(m, "ip"),
      });
    }
  }
  return out;
};

export const ipsAreNotReserved: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const m of ctx.machines) {
    const parts = parseIPv4(m.value.ip);
    const addr = ctx.addressing.domains.get(m.domain.name);
    if (!parts || !addr || `${parts[0]}.${parts[1]}.${parts[2]}` !== addr.prefix) continue;
    const host = parts[3];
    const what =
      host === 0
        ? "the network address"
        : host === 255
          ? "the broadcast address"
          : host === GATEWAY_HOST
            ? "the gateway"
            : undefined;
    if (what) {
      out.push({
        code: "PLB303",
        severity: "error",
        message: `ip ${String(m.value.ip)} is ${what} of ${addr.subnet}`,
        hint: `use a host number from 1 to 253 (static IPs conventionally .1-.99)`,
        path: machinePath(m, "ip"),
      });
    }
  }
  return out;
};

export const ipsAreUnique: Rule = (ctx) => {
  const seen = new Map<string, string>();
  const seenAuto = new Set<string>();
  const out: Diagnostic[] = [];
  const byName = new Map(ctx.machines.map((m) => [`${m.domain.name}\u0000${m.name}`, m]));
  for (const a of ctx.addressing.machines) {
    if (a.ip === undefined || !parseIPv4(a.ip)) continue;
    const first = seen.get(a.ip);
    const m = byName.get(`${a.domain}\u0000${a.machine}`);
    // Two automatic IPs only meet when two domains share a subnet_id (PLB305 reports that).
    if (first !== undefined && a.auto && seenAuto.has(a.ip)) continue;
    if (first !== undefined && m) {
      out.push({
        code: "PLB304",
        severity: "error",
        message: `ip ${a.ip}${a.auto ? " (assigned automatically)" : ""} is already used by '${first}'`,
        hint: a.auto
          ? `the explicit ip of '${first}' took it; give '${a.machine}' an explicit ip`
          : "give each machine its own address",
        path: a.auto ? machinePath(m) : machinePath(m, "ip"),
        ...(a.auto ? { target: "key" as const } : {}),
      });
    } else {
      seen.set(a.ip, a.machine);
      if (a.auto) seenAuto.add(a.ip);
    }
  }
  return out;
};
