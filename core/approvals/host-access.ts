// Host access: which settings of an instance or profile let the instance reach the host (raw.*
// keys, privileged containers, host-path disks, passthrough devices, physical/macvlan NICs).
// Pure: a spec (config + devices) in, the findings out.
import { posix } from "node:path";

export interface HostAccessFinding {
  /** The config key or device the finding is about: `config.raw.lxc`, `devices.hostroot`. */
  readonly path: string;
  /** Why it reaches the host, for the plan and the approval message. */
  readonly why: string;
}

/** Device types that hand a host device to the instance. */
const PASSTHROUGH = new Set(["unix-char", "unix-block", "unix-hotplug", "usb", "gpu", "pci"]);
/** NIC types that put the instance on a host interface instead of a managed bridge. */
const HOST_NICS = new Set(["physical", "macvlan", "sriov", "ipvlan"]);

const truthy = (v: unknown) => v === true || v === "true" || v === "1" || v === 1;

/** True when `source` is a host path inside one of the shared-volume roots. */
export function insideRoots(source: string, roots: readonly string[]): boolean {
  const p = posix.normalize(source);
  return roots.some((r) => {
    const root = posix.normalize(r).replace(/\/+$/, "");
    return root !== "" && (p === root || p.startsWith(`${root}/`));
  });
}

export function hostAccessOf(
  spec: { readonly config?: unknown; readonly devices?: unknown },
  sharedRoots: readonly string[],
): HostAccessFinding[] {
  const out: HostAccessFinding[] = [];
  const config = (spec.config ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(config)) {
    if (k.startsWith("raw."))
      out.push({ path: `config.${k}`, why: `${k} hands raw settings to the host's runtime` });
    else if (k === "security.privileged" && truthy(v))
      out.push({
        path: `config.${k}`,
        why: "privileged container: root inside is root on the host",
      });
  }
  const devices = (spec.devices ?? {}) as Record<string, Record<string, unknown> | null>;
  for (const [name, d] of Object.entries(devices)) {
    if (d === null || typeof d !== "object") continue;
    const type = String(d.type ?? "");
    const path = `devices.${name}`;
    if (type === "disk" && typeof d.source === "string" && d.source.startsWith("/")) {
      if (!insideRoots(d.source, sharedRoots))
        out.push({
          path,
          why: `disk from host path ${d.source} (outside the shared-volume roots)`,
        });
    } else if (PASSTHROUGH.has(type)) {
      out.push({ path, why: `${type} passthrough of a host device` });
    } else if (type === "nic" && HOST_NICS.has(String(d.nictype ?? ""))) {
      out.push({ path, why: `${String(d.nictype)} NIC on a host interface` });
    } else if (type === "proxy" && typeof d.connect === "string" && d.connect.startsWith("unix:")) {
      out.push({ path, why: `proxy to host socket ${d.connect}` });
    }
  }
  return out;
}
