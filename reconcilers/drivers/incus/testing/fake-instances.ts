// Instance routes of the fake Incus: create/update/delete as async operations, state changes
// with the daemon's "already running/stopped" failures, snapshots and restore.
import type { FakeOperations } from "./fake-operations.js";
import { OperationFailure } from "./fake-operations.js";
import {
  type Config,
  checkKeys,
  type Devices,
  errorReply,
  etagOf,
  type Inst,
  type Reply,
  type Space,
  sync,
} from "./fake-replies.js";

export class FakeInstances {
  /** Image aliases instances may be created from. */
  readonly images = new Set(["plumb-busybox"]);
  readonly #ops: FakeOperations;

  constructor(ops: FakeOperations) {
    this.#ops = ops;
  }

  #instanceView(
    project: string,
    space: Space,
    i: Inst,
    recursion: number,
  ): Record<string, unknown> {
    const expandedConfig: Config = {};
    const expandedDevices: Devices = {};
    for (const p of i.profiles) {
      Object.assign(expandedConfig, space.profiles.get(p)?.config);
      Object.assign(expandedDevices, space.profiles.get(p)?.devices);
    }
    const v: Record<string, unknown> = {
      name: i.name,
      project,
      type: i.type ?? "container",
      status: i.status,
      status_code: i.status === "Running" ? 103 : 102,
      description: i.description,
      architecture: "x86_64",
      ephemeral: i.ephemeral,
      stateful: false,
      profiles: i.profiles,
      config: i.config,
      devices: i.devices,
      expanded_config: { ...expandedConfig, ...i.config },
      expanded_devices: { ...expandedDevices, ...i.devices },
      created_at: i.created_at,
      last_used_at: i.created_at,
      location: "none",
    };
    if (recursion >= 2) {
      v.state = {
        status: i.status,
        status_code: v.status_code,
        pid: i.status === "Running" ? 4242 : 0,
      };
      v.snapshots = i.snapshots.size ? [...i.snapshots.values()] : null;
    }
    return v;
  }

  #instanceTag(i: Inst): string {
    const kv = Object.entries(i.config)
      .map(([k, v]) => `${k}=${v}`)
      .sort();
    return etagOf(["x86_64", i.ephemeral, i.profiles, i.devices, kv]);
  }

  route(
    method: string,
    space: Space,
    project: string,
    name: string | undefined,
    b: Record<string, unknown>,
    ifMatch: string | undefined,
    recursion: number,
  ): Reply {
    const res = (n: string) => ({ instances: [`/1.0/instances/${n}`] });
    if (!name) {
      if (method === "GET")
        return sync(
          [...space.instances.values()].map((i) =>
            recursion
              ? this.#instanceView(project, space, i, recursion)
              : `/1.0/instances/${i.name}`,
          ),
        );
      const n = String(b.name);
      const source = (b.source ?? {}) as Record<string, unknown>;
      return this.#async("Creating instance", res(n), () => {
        if (space.instances.has(n))
          throw new OperationFailure(
            "Failed creating instance record: UNIQUE constraint failed: instances.project_id, instances.name",
          );
        if (source.type === "image" && !this.images.has(String(source.alias)))
          throw new OperationFailure("Image not provided for instance creation");
        const config = { ...(b.config as Config) };
        checkKeys(config);
        const now = new Date().toISOString();
        space.instances.set(n, {
          name: n,
          ...(b.type === "virtual-machine" ? { type: "virtual-machine" } : {}),
          status: b.start ? "Running" : "Stopped",
          description: String(b.description ?? ""),
          profiles: (b.profiles as string[] | undefined) ?? ["default"],
          devices: { ...(b.devices as Devices) },
          config: {
            ...config,
            "image.os": "busybox",
            "volatile.base_image": "7638b0294147",
            "volatile.idmap.base": "0",
            "volatile.uuid": "2f6c2ae4-6f3c-4a4e-9c57-000000000000",
            "volatile.last_state.power": b.start ? "RUNNING" : "STOPPED",
          },
          ephemeral: Boolean(b.ephemeral),
          created_at: now,
          snapshots: new Map(),
        });
      });
    }
    const i = space.instances.get(name);
    if (!i)
      return errorReply(
        404,
        `Failed to fetch instance "${name}" in project "${project}": Instance not found`,
      );
    if (method === "GET")
      return sync(this.#instanceView(project, space, i, recursion), 200, this.#instanceTag(i));
    if (method === "PUT" && typeof b.restore === "string") {
      const snapName = b.restore;
      return this.#async("Restoring snapshot", res(name), () => {
        const s = i.snapshots.get(snapName);
        if (!s)
          throw new OperationFailure(
            `Failed to fetch snapshot "${snapName}": Instance_snapshot not found`,
            404,
          );
        i.config = { ...s.config };
        i.devices = { ...s.devices };
        i.profiles = [...s.profiles];
      });
    }
    if (method === "PUT") {
      if (ifMatch !== undefined && ifMatch !== this.#instanceTag(i))
        return errorReply(412, `ETag doesn't match: ${this.#instanceTag(i)} vs ${ifMatch}`);
      return this.#async("Updating instance", res(name), () => {
        const config = { ...(b.config as Config) };
        for (const k of Object.keys(i.config)) {
          if (k.startsWith("volatile.idmap.") && !(k in config))
            throw new OperationFailure("Volatile idmap keys can't be deleted by the user");
        }
        checkKeys(config);
        Object.assign(i, {
          config,
          devices: { ...(b.devices as Devices) },
          profiles: [...(b.profiles as string[])],
          description: String(b.description ?? ""),
          ephemeral: Boolean(b.ephemeral),
        });
      });
    }
    if (method === "DELETE") {
      if (i.status === "Running") return errorReply(400, "Instance is running");
      return this.#async("Deleting instance", res(name), () => void space.instances.delete(name));
    }
    return errorReply(405, "method not allowed");
  }

  state(method: string, space: Space, name: string, b: Record<string, unknown>): Reply {
    const i = space.instances.get(name);
    if (!i) return errorReply(404, "Instance not found");
    if (method === "GET")
      return sync({
        status: i.status,
        status_code: i.status === "Running" ? 103 : 102,
        pid: i.status === "Running" ? 4242 : 0,
      });
    const action = String(b.action);
    return this.#async(`${action} instance`, { instances: [`/1.0/instances/${name}`] }, () => {
      if (action === "start" && i.status === "Running")
        throw new OperationFailure("The instance is already running", 500);
      if (action === "stop" && i.status === "Stopped")
        throw new OperationFailure("The instance is already stopped", 400);
      if (action === "restart" && i.status !== "Running")
        throw new OperationFailure("The instance isn't running", 400);
      i.status = action === "stop" ? "Stopped" : action === "freeze" ? "Frozen" : "Running";
      i.config["volatile.last_state.power"] = i.status.toUpperCase();
    });
  }

  snapshots(
    method: string,
    space: Space,
    project: string,
    name: string,
    snapName: string | undefined,
    b: Record<string, unknown>,
    recursion: number,
  ): Reply {
    const i = space.instances.get(name);
    if (!i)
      return errorReply(
        404,
        `Failed to fetch instance "${name}" in project "${project}": Instance not found`,
      );
    const res = { instances: [`/1.0/instances/${name}`] };
    if (!snapName) {
      if (method === "GET")
        return sync(
          [...i.snapshots.values()].map((s) =>
            recursion ? s : `/1.0/instances/${name}/snapshots/${s.name}`,
          ),
        );
      const n = String(b.name);
      if (n.includes("/")) return errorReply(400, "Invalid snapshot name: Cannot contain slashes");
      return this.#async("Snapshotting instance", res, () => {
        if (i.snapshots.has(n))
          throw new OperationFailure(
            `Failed creating instance snapshot record "${n}": UNIQUE constraint failed: instances_snapshots.instance_id, instances_snapshots.name`,
          );
        i.snapshots.set(n, {
          name: n,
          created_at: new Date().toISOString(),
          config: { ...i.config },
          devices: { ...i.devices },
          profiles: [...i.profiles],
        });
      });
    }
    const s = i.snapshots.get(snapName);
    if (!s) return errorReply(404, "Instance_snapshot not found");
    if (method === "GET") return sync(s, 200, etagOf([null]));
    if (method === "DELETE")
      return this.#async("Deleting snapshot", res, () => void i.snapshots.delete(snapName));
    return errorReply(405, "method not allowed");
  }

  #async(description: string, resources: Record<string, string[]>, work: () => void): Reply {
    const op = this.#ops.start(description, resources, work);
    const body = {
      type: "async",
      status: "Operation created",
      status_code: 100,
      operation: `/1.0/operations/${op.id}`,
      error_code: 0,
      error: "",
      metadata: this.#ops.json(op),
    };
    return { status: 202, body, location: `/1.0/operations/${op.id}` };
  }
}
