// Synthetic, correctly sealed plan documents of any size for renderers and the PR comment:
// per domain a project, a bridge, its default profile and N instances, some updated, restarted,
// replaced or deleted.
import type { Change } from "../../reconcilers/model.js";
import { type PlanDocument, sealPlan } from "../../reconcilers/plan/plan-document.js";

export interface SyntheticPlanOptions {
  readonly owner?: string;
  readonly domains: number;
  readonly machines: number;
  /** Bytes of config per created instance (makes a plan big). */
  readonly padding?: number;
  /** Extra config put on the first instance (e.g. a secret). */
  readonly extraConfig?: Record<string, string>;
}

export function syntheticPlan(o: SyntheticPlanOptions): PlanDocument {
  const changes: Change[] = [];
  const pad = "p".repeat(o.padding ?? 0);
  for (let d = 0; d < o.domains; d++) {
    const dom = `dom${d}`;
    const net = `net-${dom}`;
    changes.push({
      id: `project:${dom}/${dom}`,
      ref: { kind: "project", project: dom, name: dom },
      deps: [],
      action: "create",
      desired: { description: "", features: {}, config: {} },
    });
    changes.push({
      id: `network:default/${net}`,
      ref: { kind: "network", project: "default", name: net },
      deps: [],
      action: "create",
      desired: { description: "", config: {} },
    });
    changes.push({
      id: `profile:${dom}/default`,
      ref: { kind: "profile", project: dom, name: "default" },
      deps: [],
      action: "create",
      desired: {
        description: "",
        config: {},
        devices: { eth0: { type: "nic", name: "eth0", network: net } },
      },
    });
    for (let m = 0; m < o.machines; m++) {
      const name = `${dom}-m${m}`;
      const ref = { kind: "instance" as const, project: dom, name };
      const desired = {
        description: "",
        type: "container" as const,
        profiles: ["default"],
        config: {
          "limits.cpu": "1",
          ...(pad ? { "user.note": pad } : {}),
          ...(d === 0 && m === 0 ? (o.extraConfig ?? {}) : {}),
        },
        devices: {},
      };
      const base = { id: `instance:${dom}/${name}`, ref, deps: [] };
      if (m % 7 === 3)
        changes.push({
          ...base,
          action: "update-restart",
          desired,
          drift: false,
          fields: [{ path: "config.limits.cpu", before: "1", after: "2" }],
          restartFields: ["limits.cpu"],
        });
      else if (m % 7 === 5)
        changes.push({ ...base, action: "delete", reason: "no longer declared (auto_cleanup)" });
      else if (m % 7 === 6)
        changes.push({
          ...base,
          action: "update",
          desired,
          drift: false,
          fields: [{ path: "config.limits.memory", before: "1GiB", after: "2GiB" }],
        });
      else
        changes.push({
          ...base,
          action: "create",
          desired,
          create: {
            image: "images:debian/13",
            source: { type: "image", alias: "plumb-busybox" },
            start: true,
          },
        } as Change);
    }
  }
  return sealPlan({
    createdAt: "2026-01-01T00:00:00Z",
    tool: { name: "plumb", version: "0.1.0" },
    owner: o.owner ?? "lab",
    target: "unix:/var/lib/incus/unix.socket",
    git: { head: "0123456789abcdef0123456789abcdef01234567", base: null, clean: true, dirty: [] },
    limit: null,
    projects: [],
    settings: { bridgeAddresses: "none", storagePool: "default", imageMap: {}, autoCleanup: true },
    host: { vmSupported: false, serverVersion: "6.0.4" },
    observed: [],
    changes,
    risk: { items: [] },
  });
}
