// Declared targets: `type: server` machines (address + host key, no Incus keys, never an Incus
// endpoint) and the structure of `contracts:` on any machine (unique names).
import type { Diagnostic } from "../../core/diagnostics.js";
import { isRecord } from "../../core/model/addressing.js";
import type { MachineEntry, Rule } from "./context.js";
import { machinePath } from "./context.js";

const isServer = (m: MachineEntry) => m.value.type === "server";

/** Keys that configure an Incus instance: meaningless on a server. */
export const INSTANCE_ONLY_KEYS = [
  "ip",
  "ephemeral",
  "gpu",
  "profiles",
  "config",
  "devices",
  "storage_volumes",
  "os_image",
  "boot_autostart",
  "boot_priority",
  "snapshots_schedule",
  "snapshots_expiry",
  "weight",
  "state",
  "target",
  "persistent_data",
] as const;

export const serversAreComplete: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const m of ctx.machines.filter(isServer)) {
    if (typeof m.value.address !== "string" || m.value.address === "") {
      out.push({
        code: "PLB109",
        severity: "error",
        message: `server '${m.name}' has no address`,
        hint: "add `address: <IP or DNS name>` (a server's address is its own, not allocated)",
        path: machinePath(m, "type"),
      });
    }
    const ssh = isRecord(m.value.ssh) ? m.value.ssh : undefined;
    if (typeof ssh?.host_key !== "string" || ssh.host_key === "") {
      out.push({
        code: "PLB109",
        severity: "error",
        message: `server '${m.name}' has no ssh.host_key`,
        hint: 'add `ssh: {host_key: "SHA256:…"}` from `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` run on the server',
        path: ssh ? machinePath(m, "ssh") : machinePath(m, "type"),
        ...(ssh ? { target: "key" as const } : {}),
      });
    }
  }
  return out;
};

export const serverKeysOnlyOnServers: Rule = (ctx) =>
  ctx.machines
    .filter((m) => !isServer(m))
    .flatMap((m) =>
      (["address", "ssh"] as const)
        .filter((k) => m.value[k] !== undefined)
        .map((k) => ({
          code: "PLB110" as const,
          severity: "error" as const,
          message: `'${k}' is for type: server, but '${m.name}' is an Incus ${String(m.value.type ?? "lxc")} machine`,
          hint:
            k === "address"
              ? "set type: server for a plain server, or use `ip` for an Incus instance's address"
              : "set type: server for a plain server, or remove ssh",
          path: machinePath(m, k),
          target: "key" as const,
        })),
    );

export const instanceKeysNotOnServers: Rule = (ctx) =>
  ctx.machines.filter(isServer).flatMap((m) =>
    INSTANCE_ONLY_KEYS.filter((k) => m.value[k] !== undefined && m.value[k] !== null).map((k) => ({
      code: "PLB111" as const,
      severity: "error" as const,
      message: `'${k}' configures an Incus instance; server '${m.name}' is not one`,
      hint:
        k === "ip"
          ? "a server's address is `address:`; remove ip"
          : `remove ${k}, or make '${m.name}' type lxc or vm`,
      path: machinePath(m, k),
      target: "key" as const,
    })),
  );

export const serversAreNotIncusEndpoints: Rule = (ctx) => {
  const servers = new Set(ctx.machines.filter(isServer).map((m) => m.name));
  const out: Diagnostic[] = [];
  for (const { index, value } of ctx.policies) {
    for (const side of ["from", "to"] as const) {
      const v = value[side];
      if (typeof v === "string" && servers.has(v))
        out.push({
          code: "PLB112",
          severity: "error",
          message: `network_policies[${index}].${side}: '${v}' is a server, not on a domain bridge`,
          hint: "network policies become Incus ACLs on the domain bridges; name a domain or an Incus machine",
          path: ["network_policies", index, side],
        });
    }
  }
  for (const v of ctx.sharedVolumes) {
    const consumers = isRecord(v.value.consumers) ? Object.keys(v.value.consumers) : [];
    for (const c of consumers.filter((c) => servers.has(c)))
      out.push({
        code: "PLB112",
        severity: "error",
        message: `shared volume '${v.name}': consumer '${c}' is a server, not an Incus instance`,
        hint: "remove it from consumers (a host directory cannot be mounted into a plain server)",
        path: ["shared_volumes", v.name, "consumers", c],
        target: "key",
      });
  }
  return out;
};

/** The name a contract entry gets: its `name`, else its template slug. */
export const contractName = (c: Record<string, unknown>): string | undefined =>
  typeof c.name === "string" ? c.name : typeof c.template === "string" ? c.template : undefined;

export const contractNamesAreUnique: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const m of ctx.machines) {
    if (!Array.isArray(m.value.contracts)) continue;
    const seen = new Map<string, number>();
    m.value.contracts.forEach((c, i) => {
      if (!isRecord(c)) return;
      const name = contractName(c);
      if (name === undefined) return;
      const first = seen.get(name);
      if (first === undefined) {
        seen.set(name, i);
        return;
      }
      out.push({
        code: "PLB113",
        severity: "error",
        message: `machine '${m.name}' has two contracts named '${name}' (contracts[${first}] and contracts[${i}])`,
        hint: `give contracts[${i}] its own name: (e.g. name: ${name}-2)`,
        path: machinePath(m, "contracts", i, c.name !== undefined ? "name" : "template"),
      });
    });
  }
  return out;
};
