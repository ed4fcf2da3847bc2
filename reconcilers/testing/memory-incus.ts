// An in-memory model of the Incus objects plumb manages, for pure property tests: it holds raw
// objects shaped like the API's, applies a plan's changes the way Incus ends up after each
// reconciler's apply (server keys kept, unmanaged keys kept), and is observed through the very
// observe* functions the reconcilers use on live listings.
import type { Instance, Network, Profile, Project } from "../drivers/incus/types.js";
import { isServerKey, observeInstance } from "../kinds/instance/observe.js";
import type { InstanceSpec } from "../kinds/instance/spec.js";
import { observeState } from "../kinds/instance-state/index.js";
import { isNetworkKey, observeNetwork } from "../kinds/network/observe.js";
import type { NetworkSpec } from "../kinds/network/spec.js";
import { observeProfile } from "../kinds/profile/observe.js";
import type { ProfileSpec } from "../kinds/profile/spec.js";
import { observeProject } from "../kinds/project/observe.js";
import type { ProjectSpec } from "../kinds/project/spec.js";
import { PLUMB_PREFIX } from "../kit/ownership.js";
import type { Change, ObservedObject } from "../model.js";

/** Tests edit live objects by hand (a stopped instance, a changed key). */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

export interface MemoryIncus {
  projects: Map<string, Project>;
  networks: Map<string, Network>;
  /** project → name → profile */
  profiles: Map<string, Map<string, Writable<Profile>>>;
  /** project → name → instance */
  instances: Map<string, Map<string, Writable<Instance>>>;
}

export function emptyIncus(): MemoryIncus {
  return { projects: new Map(), networks: new Map(), profiles: new Map(), instances: new Map() };
}

export function cloneIncus(m: MemoryIncus): MemoryIncus {
  return structuredClone(m);
}

export function addProject(m: MemoryIncus, p: Project): void {
  m.projects.set(p.name, p);
  m.profiles.set(
    p.name,
    new Map([
      [
        "default",
        { name: "default", description: "Default Incus profile", config: {}, devices: {} },
      ],
    ]),
  );
  m.instances.set(p.name, new Map());
}

export function rawInstance(
  project: string,
  name: string,
  spec: InstanceSpec,
  running: boolean,
): Instance {
  return {
    name,
    project,
    type: spec.type,
    status: running ? "Running" : "Stopped",
    status_code: running ? 103 : 102,
    description: spec.description,
    architecture: "x86_64",
    ephemeral: false,
    stateful: false,
    profiles: [...spec.profiles],
    config: {
      ...spec.config,
      "image.os": "busybox",
      "volatile.base_image": "7638b0294147",
      "volatile.uuid": "u",
    },
    devices: structuredClone(spec.devices) as Instance["devices"],
    expanded_config: {},
    expanded_devices: {},
    created_at: "",
    last_used_at: "",
    location: "none",
  };
}

/** Applies one change as Incus would end up after the reconciler's apply. */
export function applyToMemory(m: MemoryIncus, c: Change): void {
  const { project, name } = c.ref;
  switch (c.ref.kind) {
    case "project": {
      if (c.action === "create") {
        const d = c.desired as ProjectSpec;
        addProject(m, {
          name,
          description: d.description,
          config: { ...d.features, ...d.config, "features.storage.buckets": "true" },
        });
      } else if (c.action === "update") {
        const p = m.projects.get(name) as Project;
        const d = c.desired as ProjectSpec;
        const kept = Object.fromEntries(
          Object.entries(p.config).filter(([k]) => !k.startsWith(PLUMB_PREFIX)),
        );
        m.projects.set(name, {
          ...p,
          description: d.description,
          config: { ...kept, ...d.config },
        });
      } else if (c.action === "delete") {
        m.projects.delete(name);
        m.profiles.delete(name);
        m.instances.delete(name);
      }
      return;
    }
    case "network": {
      if (c.action === "create" || c.action === "update") {
        const d = c.desired as NetworkSpec;
        const cur = m.networks.get(name);
        const kept = Object.fromEntries(
          Object.entries(cur?.config ?? {}).filter(([k]) => !isNetworkKey(k)),
        );
        m.networks.set(name, {
          name,
          type: "bridge",
          managed: true,
          description: d.description,
          config: { ...kept, ...d.config },
        });
      } else if (c.action === "delete") m.networks.delete(name);
      return;
    }
    case "profile": {
      const profiles = m.profiles.get(project) as Map<string, Profile>;
      if (c.action === "create" || c.action === "update") {
        const d = c.desired as ProfileSpec;
        const cur = profiles.get(name);
        const description =
          name === "default" && d.description === "" ? (cur?.description ?? "") : d.description;
        profiles.set(name, {
          name,
          description,
          config: { ...d.config },
          devices: structuredClone(d.devices) as Profile["devices"],
        });
      } else if (c.action === "delete") profiles.delete(name);
      return;
    }
    case "instance": {
      const instances = m.instances.get(project) as Map<string, Instance>;
      if (c.action === "create" || c.action === "replace") {
        instances.set(
          name,
          rawInstance(project, name, c.desired as InstanceSpec, c.create?.start ?? false),
        );
      } else if (c.action === "update" || c.action === "update-restart") {
        const cur = instances.get(name) as Instance;
        const d = c.desired as InstanceSpec;
        const server = Object.fromEntries(
          Object.entries(cur.config).filter(([k]) => isServerKey(k)),
        );
        instances.set(name, {
          ...cur,
          description: d.description,
          profiles: [...d.profiles],
          config: { ...server, ...d.config },
          devices: structuredClone(d.devices) as Instance["devices"],
        });
      } else if (c.action === "delete") instances.delete(name);
      return;
    }
    case "instance-state": {
      const i = m.instances.get(project)?.get(name);
      if (i && (c.action === "start" || c.action === "stop")) {
        m.instances
          .get(project)
          ?.set(name, { ...i, status: c.action === "start" ? "Running" : "Stopped" });
      }
      return;
    }
  }
}

/** What a plan would observe: every project, the networks, profiles and instances of owned projects. */
export function observeMemory(m: MemoryIncus, owner: string): ObservedObject[] {
  const out: ObservedObject[] = [];
  const read: string[] = [];
  for (const p of m.projects.values()) {
    out.push(observeProject(p, owner));
    if (p.config["user.plumb.owner"] === owner) read.push(p.name);
  }
  for (const n of m.networks.values()) out.push(observeNetwork(n, owner));
  for (const p of read)
    for (const pr of m.profiles.get(p)?.values() ?? []) out.push(observeProfile(pr, p, owner));
  for (const p of read)
    for (const i of m.instances.get(p)?.values() ?? []) out.push(observeInstance(i, owner));
  for (const p of read)
    for (const i of m.instances.get(p)?.values() ?? []) out.push(observeState(i, owner));
  return out;
}
