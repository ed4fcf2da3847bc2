// IncusDriver over the REST API. Listings are one `recursion=1` call per kind per project;
// updates are PUT + If-Match (412 → PreconditionFailedError); async calls are waited for.
import { ApiClient, type ApiClientOptions, type CallResult } from "./api-client.js";
import { NotFoundError, OperationFailedError, ProtocolError } from "./errors.js";
import type { HttpTransport } from "./transport.js";
import type {
  Collection,
  Etagged,
  ImageAlias,
  IncusDriver,
  Instance,
  InstanceAction,
  InstanceCreate,
  InstancePut,
  InstanceState,
  InstanceStateOptions,
  ListOptions,
  Network,
  NetworkCreate,
  NetworkPut,
  Operation,
  Profile,
  ProfileCreate,
  ProfilePut,
  Project,
  ProjectCreate,
  ProjectPut,
  ServerInfo,
  Snapshot,
  SnapshotCreate,
  StateChange,
} from "./types.js";

export type IncusApiDriverOptions = ApiClientOptions;

const enc = encodeURIComponent;

/** `/1.0/<path>?project=<p>&…` */
function url(path: string, query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
  const qs = q.toString();
  return `/1.0/${path}${qs ? `?${qs}` : ""}`;
}

/**
 * Text of the operation errors that mean "already in the asked state". The one place besides
 * duplicates where message text is read: Incus has no code for it (400 or 500 depending on the
 * action).
 */
const ALREADY_IN_STATE: Partial<Record<InstanceAction, RegExp>> = {
  start: /already running/i,
  stop: /already stopped/i,
  freeze: /already frozen/i,
  unfreeze: /not frozen/i,
};

export class IncusApiDriver implements IncusDriver {
  readonly #api: ApiClient;

  /** The REST client, for what the typed methods do not cover (delivery: exec and the file API). */
  get api(): ApiClient {
    return this.#api;
  }

  constructor(transport: HttpTransport, options: IncusApiDriverOptions = {}) {
    this.#api = new ApiClient(transport, options);
  }

  /** `unix:/path` or `https://host:port`, for messages. */
  get target(): string {
    return this.#api.transport.target;
  }

  apiCalls(): number {
    return this.#api.calls;
  }

  close(): void {
    this.#api.transport.close();
  }

  async server(): Promise<ServerInfo> {
    return object<ServerInfo>(await this.#api.call("GET", "/1.0"), "GET", "/1.0");
  }

  // ---- projects ----
  listProjects(): Promise<Project[]> {
    return this.#list<Project>(url("projects", { recursion: "1" }));
  }
  getProject(name: string): Promise<Etagged<Project>> {
    return this.#get<Project>(url(`projects/${enc(name)}`));
  }
  async createProject(project: ProjectCreate): Promise<void> {
    await this.#api.call("POST", url("projects"), {
      body: { name: project.name, description: project.description ?? "", config: project.config },
    });
  }
  async updateProject(name: string, value: ProjectPut, etag: string): Promise<void> {
    // PUT, never PATCH: a project PATCH with config drops the merged keys (Incus 6.0.4).
    await this.#api.call("PUT", url(`projects/${enc(name)}`), {
      body: { description: value.description ?? "", config: value.config },
      etag,
    });
  }
  async deleteProject(name: string): Promise<void> {
    await this.#api.call("DELETE", url(`projects/${enc(name)}`));
  }

  // ---- networks ----
  listNetworks(project: string): Promise<Network[]> {
    return this.#list<Network>(url("networks", { project, recursion: "1" }));
  }
  getNetwork(project: string, name: string): Promise<Etagged<Network>> {
    return this.#get<Network>(url(`networks/${enc(name)}`, { project }));
  }
  async createNetwork(project: string, network: NetworkCreate): Promise<void> {
    await this.#api.call("POST", url("networks", { project }), {
      body: {
        name: network.name,
        type: network.type ?? "bridge",
        description: network.description ?? "",
        config: network.config,
      },
      project,
    });
  }
  async updateNetwork(
    project: string,
    name: string,
    value: NetworkPut,
    etag: string,
  ): Promise<void> {
    await this.#api.call("PUT", url(`networks/${enc(name)}`, { project }), {
      body: { description: value.description ?? "", config: value.config },
      etag,
      project,
    });
  }
  async deleteNetwork(project: string, name: string): Promise<void> {
    await this.#api.call("DELETE", url(`networks/${enc(name)}`, { project }), { project });
  }

  // ---- profiles ----
  listProfiles(project: string): Promise<Profile[]> {
    return this.#list<Profile>(url("profiles", { project, recursion: "1" }));
  }
  getProfile(project: string, name: string): Promise<Etagged<Profile>> {
    return this.#get<Profile>(url(`profiles/${enc(name)}`, { project }));
  }
  async createProfile(project: string, profile: ProfileCreate): Promise<void> {
    await this.#api.call("POST", url("profiles", { project }), {
      body: {
        name: profile.name,
        description: profile.description ?? "",
        config: profile.config,
        devices: profile.devices,
      },
      project,
    });
  }
  async updateProfile(
    project: string,
    name: string,
    value: ProfilePut,
    etag: string,
  ): Promise<void> {
    await this.#api.call("PUT", url(`profiles/${enc(name)}`, { project }), {
      body: { description: value.description ?? "", config: value.config, devices: value.devices },
      etag,
      project,
    });
  }
  async deleteProfile(project: string, name: string): Promise<void> {
    await this.#api.call("DELETE", url(`profiles/${enc(name)}`, { project }), { project });
  }

  // ---- instances ----
  async listInstances(project: string, options: ListOptions = {}): Promise<Instance[]> {
    const recursion = options.withState ? "2" : "1";
    const list = await this.#list<Instance>(url("instances", { project, recursion }));
    // Incus answers 200 [] for a project that does not exist (Incus 6.0.4): when the list is
    // empty, make sure the project is real so a typo does not read as "nothing exists".
    if (list.length === 0) await this.getProject(project);
    return list;
  }
  getInstance(project: string, name: string): Promise<Etagged<Instance>> {
    return this.#get<Instance>(url(`instances/${enc(name)}`, { project }));
  }
  async createInstance(project: string, instance: InstanceCreate): Promise<void> {
    await this.#api.call("POST", url("instances", { project, target: instance.target }), {
      body: {
        name: instance.name,
        type: instance.type ?? "container",
        source: instance.source,
        ...(instance.profiles === undefined ? {} : { profiles: instance.profiles }),
        config: instance.config ?? {},
        devices: instance.devices ?? {},
        description: instance.description ?? "",
        ephemeral: instance.ephemeral ?? false,
        start: instance.start ?? false,
      },
      project,
    });
  }
  async updateInstance(
    project: string,
    name: string,
    value: InstancePut,
    etag: string,
  ): Promise<void> {
    // Full replace: the caller builds `value` from a fresh GET (volatile.* copied verbatim).
    await this.#api.call("PUT", url(`instances/${enc(name)}`, { project }), {
      body: {
        ...(value.architecture === undefined ? {} : { architecture: value.architecture }),
        config: value.config,
        devices: value.devices,
        profiles: value.profiles,
        description: value.description ?? "",
        ephemeral: value.ephemeral ?? false,
        stateful: value.stateful ?? false,
      },
      etag,
      project,
    });
  }
  async deleteInstance(project: string, name: string): Promise<void> {
    await this.#api.call("DELETE", url(`instances/${enc(name)}`, { project }), { project });
  }
  async getInstanceState(project: string, name: string): Promise<InstanceState> {
    const endpoint = url(`instances/${enc(name)}/state`, { project });
    return object<InstanceState>(await this.#api.call("GET", endpoint), "GET", endpoint);
  }
  async setInstanceState(
    project: string,
    name: string,
    action: InstanceAction,
    options: InstanceStateOptions = {},
  ): Promise<StateChange> {
    try {
      await this.#api.call("PUT", url(`instances/${enc(name)}/state`, { project }), {
        body: {
          action,
          force: options.force ?? false,
          stateful: options.stateful ?? false,
          timeout: options.timeout ?? 30,
        },
        project,
      });
      return { changed: true };
    } catch (err) {
      const already = ALREADY_IN_STATE[action];
      if (err instanceof OperationFailedError && already?.test(err.incusError ?? "")) {
        return { changed: false };
      }
      throw err;
    }
  }

  // ---- snapshots ----
  listSnapshots(project: string, instance: string): Promise<Snapshot[]> {
    return this.#list<Snapshot>(
      url(`instances/${enc(instance)}/snapshots`, { project, recursion: "1" }),
    );
  }
  async createSnapshot(project: string, instance: string, snapshot: SnapshotCreate): Promise<void> {
    await this.#api.call("POST", url(`instances/${enc(instance)}/snapshots`, { project }), {
      body: {
        name: snapshot.name,
        stateful: snapshot.stateful ?? false,
        ...(snapshot.expires_at === undefined ? {} : { expires_at: snapshot.expires_at }),
      },
      project,
    });
  }
  async restoreSnapshot(project: string, instance: string, name: string): Promise<void> {
    await this.#api.call("PUT", url(`instances/${enc(instance)}`, { project }), {
      body: { restore: name },
      project,
    });
  }
  async deleteSnapshot(project: string, instance: string, name: string): Promise<void> {
    const endpoint = url(`instances/${enc(instance)}/snapshots/${enc(name)}`, { project });
    await this.#api.call("DELETE", endpoint, { project });
  }

  async runningOperations(): Promise<Operation[]> {
    const endpoint = url("operations", { recursion: "1", "all-projects": "true" });
    const res = await this.#api.call("GET", endpoint);
    // A map by status (`running`, `success`, …), `{}` or null when there are none.
    const byStatus = (res.metadata ?? {}) as Record<string, Operation[] | null>;
    return [...(byStatus.running ?? []), ...(byStatus.pending ?? [])];
  }

  // ---- images ----
  listImageAliases(project = "default"): Promise<ImageAlias[]> {
    return this.#list<ImageAlias>(url("images/aliases", { project, recursion: "1" }));
  }

  waitOperation(operation: string, project?: string): Promise<Operation> {
    return this.#api.waitOperation(operation, project);
  }

  // ---- helpers ----
  collection<T extends { readonly name: string }, W>(path: string): Collection<T, W> {
    const at = (name: string) => `${path}/${enc(name)}`;
    return {
      list: (project) => this.#list<T>(url(path, { project, recursion: "1" })),
      listAll: () =>
        this.#list<T & { project: string }>(url(path, { "all-projects": "true", recursion: "1" })),
      names: async (project) =>
        (await this.#list<string>(url(path, { project }))).map((u) =>
          decodeURIComponent(u.split("?")[0]?.split("/").pop() ?? ""),
        ),
      get: (project, name) => this.#get<T>(url(at(name), { project })),
      create: async (project, value) => {
        await this.#api.call("POST", url(path, { project }), { body: value, project });
      },
      update: async (project, name, value, etag) => {
        await this.#api.call("PUT", url(at(name), { project }), { body: value, etag, project });
      },
      delete: async (project, name) => {
        await this.#api.call("DELETE", url(at(name), { project }), { project });
      },
    };
  }

  async #list<T>(endpoint: string): Promise<T[]> {
    const res = await this.#api.call("GET", endpoint);
    if (!Array.isArray(res.metadata)) {
      throw new ProtocolError("expected a list", { method: "GET", endpoint });
    }
    return res.metadata as T[];
  }

  async #get<T>(endpoint: string): Promise<Etagged<T>> {
    const res = await this.#api.call("GET", endpoint);
    const value = object<T>(res, "GET", endpoint);
    if (!res.etag)
      throw new ProtocolError("object answered without an ETag", { method: "GET", endpoint });
    return { value, etag: res.etag };
  }
}

function object<T>(res: CallResult, method: string, endpoint: string): T {
  if (res.metadata === null || typeof res.metadata !== "object" || Array.isArray(res.metadata)) {
    throw new ProtocolError("expected an object", { method, endpoint });
  }
  return res.metadata as T;
}

/** True when `err` says the object is absent (GET → 404): the way existence is decided. */
export function isNotFound(err: unknown): err is NotFoundError {
  return err instanceof NotFoundError;
}
