// Machines: GPU policy, isolation advice, generated device names and mount paths.
import type { Diagnostic, JsonPath } from "../../core/diagnostics.js";
import { isRecord } from "../../core/model/addressing.js";
import { didYouMean } from "../../core/suggest.js";
import type { MachineEntry, Rule, RuleContext } from "./context.js";
import { machinePath } from "./context.js";

/** Machines with GPU access: `gpu: true` or a referenced domain profile with a gpu device. */
export function gpuMachines(ctx: RuleContext): MachineEntry[] {
  return ctx.machines.filter((m) => {
    if (m.value.gpu === true) return true;
    const profiles = isRecord(m.domain.value.profiles) ? m.domain.value.profiles : {};
    const used = Array.isArray(m.value.profiles) ? m.value.profiles : [];
    return used.some((p) => {
      const prof = typeof p === "string" ? profiles[p] : undefined;
      const devices = isRecord(prof) && isRecord(prof.devices) ? Object.values(prof.devices) : [];
      return devices.some((dev) => isRecord(dev) && dev.type === "gpu");
    });
  });
}

export const gpuPolicyHolds: Rule = (ctx) => {
  const gpu = gpuMachines(ctx);
  if (gpu.length <= 1) return [];
  const names = gpu.map((m) => m.name).join(", ");
  if (ctx.global.gpu_policy === "shared") {
    return [
      {
        code: "PLB502",
        severity: "warning",
        message: `${gpu.length} instances share the GPU: ${names}`,
        hint: "they compete for GPU memory; make sure that is intended",
        path: machinePath(gpu[1] as MachineEntry),
        target: "key",
      },
    ];
  }
  return gpu.slice(1).map((m) => ({
    code: "PLB501",
    severity: "error",
    message: `GPU policy is 'exclusive' but ${gpu.length} instances have GPU access: ${names}`,
    hint: "keep GPU access on one machine, or set global.gpu_policy: shared",
    path: machinePath(m),
    target: "key",
  }));
};

export const untrustedZonesPreferVms: Rule = (ctx) =>
  ctx.machines
    .filter(
      (m) =>
        (m.value.type ?? "lxc") === "lxc" &&
        (m.domain.value.trust_level === "untrusted" || m.domain.value.trust_level === "disposable"),
    )
    .map((m) => ({
      code: "PLB503",
      severity: "warning",
      message: `container '${m.name}' runs in ${String(m.domain.value.trust_level)} domain '${m.domain.name}' and shares the host kernel`,
      hint: "consider type: vm for stronger isolation",
      path: machinePath(m),
      target: "key",
    }));

export const privilegedContainersFlagged: Rule = (ctx) =>
  ctx.machines
    .filter(
      (m) =>
        (m.value.type ?? "lxc") === "lxc" &&
        isRecord(m.value.config) &&
        String(m.value.config["security.privileged"]).toLowerCase() === "true",
    )
    .map((m) => ({
      code: "PLB504",
      severity: "warning",
      message: `container '${m.name}' is privileged (security.privileged: true): root inside is root on the host`,
      hint: "drop security.privileged, or use type: vm",
      path: machinePath(m, "config", "security.privileged"),
    }));

/** Shared volumes consumed by a machine (directly or through its domain), with the access mode. */
function sharedVolumesOf(ctx: RuleContext, m: MachineEntry): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  for (const v of ctx.sharedVolumes) {
    const consumers = isRecord(v.value.consumers) ? v.value.consumers : {};
    if (Object.hasOwn(consumers, m.name) || Object.hasOwn(consumers, m.domain.name)) {
      out.push({
        name: v.name,
        path: typeof v.value.path === "string" ? v.value.path : `/shared/${v.name}`,
      });
    }
  }
  return out;
}

export const generatedDevicesDoNotCollide: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const m of ctx.machines) {
    const devices = isRecord(m.value.devices) ? m.value.devices : {};
    const generated: [string, string][] = [];
    if (isRecord(m.value.persistent_data)) {
      for (const name of Object.keys(m.value.persistent_data))
        generated.push([`pd-${name}`, `persistent_data '${name}'`]);
    }
    for (const v of sharedVolumesOf(ctx, m))
      generated.push([`sv-${v.name}`, `shared volume '${v.name}'`]);
    for (const [device, what] of generated) {
      if (device in devices) {
        out.push({
          code: "PLB505",
          severity: "error",
          message: `device '${device}' of machine '${m.name}' collides with the device generated for ${what}`,
          hint: `rename the device under domains.${m.domain.name}.machines.${m.name}.devices`,
          path: machinePath(m, "devices", device),
          target: "key",
        });
      }
    }
  }
  return out;
};

export const mountPathsAreUnique: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const m of ctx.machines) {
    const seen = new Map<string, string>();
    const mounts: [string, string, JsonPath][] = sharedVolumesOf(ctx, m).map((v) => [
      v.path,
      `shared volume '${v.name}'`,
      ["shared_volumes", v.name, "path"],
    ]);
    if (isRecord(m.value.persistent_data)) {
      for (const [name, pd] of Object.entries(m.value.persistent_data)) {
        if (isRecord(pd) && typeof pd.path === "string")
          mounts.push([
            pd.path,
            `persistent_data '${name}'`,
            machinePath(m, "persistent_data", name, "path"),
          ]);
      }
    }
    for (const [path, what, at] of mounts) {
      const first = seen.get(path);
      if (first !== undefined) {
        out.push({
          code: "PLB506",
          severity: "error",
          message: `${what} and ${first} both mount at ${path} in machine '${m.name}'`,
          hint: "give one of them another path",
          path: at,
        });
      } else seen.set(path, what);
    }
  }
  return out;
};

export const sharedVolumeConsumersResolve: Rule = (ctx) => {
  const known = new Set([...ctx.domains.map((d) => d.name), ...ctx.machines.map((m) => m.name)]);
  const out: Diagnostic[] = [];
  for (const v of ctx.sharedVolumes) {
    if (!isRecord(v.value.consumers)) continue;
    for (const c of Object.keys(v.value.consumers)) {
      if (known.has(c)) continue;
      out.push({
        code: "PLB507",
        severity: "error",
        message: `shared volume '${v.name}' has consumer '${c}', which is not a domain or machine`,
        hint: didYouMean(c, known) ?? "name a declared domain or machine",
        path: ["shared_volumes", v.name, "consumers", c],
        target: "key",
      });
    }
  }
  return out;
};
