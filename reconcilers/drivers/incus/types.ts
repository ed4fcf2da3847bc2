// The IncusDriver contract: what reconcilers may ask of Incus, typed after the REST API's own
// shapes (snake_case field names are Incus's). Implementations: IncusApiDriver (REST over a unix
// socket or pinned HTTPS); tests may inject fakes.

/** Config maps in Incus are string → string. */
export type ConfigMap = Record<string, string>;
/** Devices: device name → device config (`type`, `path`, `pool`, `nictype`, …). */
export type DeviceMap = Record<string, ConfigMap>;

/** An object read together with the ETag the server sent; pass it back to `update*`. */
export interface Etagged<T> {
  readonly value: T;
  readonly etag: string;
}

export interface ServerInfo {
  readonly api_extensions: readonly string[];
  readonly api_status: string;
  readonly api_version: string;
  readonly auth: string;
  readonly config: ConfigMap;
  readonly environment?: {
    readonly server_version?: string;
    readonly certificate?: string;
    readonly certificate_fingerprint?: string;
    readonly kernel_version?: string;
    readonly storage?: string;
    readonly [key: string]: unknown;
  };
}

// ---- projects ----
export interface ProjectPut {
  readonly description?: string;
  readonly config: ConfigMap;
}
export interface ProjectCreate extends ProjectPut {
  readonly name: string;
}
export interface Project extends ProjectCreate {
  readonly description: string;
  readonly used_by?: readonly string[] | null;
}

// ---- networks ----
export interface NetworkPut {
  readonly description?: string;
  readonly config: ConfigMap;
}
export interface NetworkCreate extends NetworkPut {
  readonly name: string;
  /** `bridge` (default), `macvlan`, `ovn`, … */
  readonly type?: string;
}
export interface Network extends NetworkCreate {
  readonly description: string;
  readonly type: string;
  readonly managed: boolean;
  readonly status?: string;
  readonly used_by?: readonly string[] | null;
  readonly locations?: readonly string[] | null;
}

// ---- profiles ----
export interface ProfilePut {
  readonly description?: string;
  readonly config: ConfigMap;
  readonly devices: DeviceMap;
}
export interface ProfileCreate extends ProfilePut {
  readonly name: string;
}
export interface Profile extends ProfileCreate {
  readonly description: string;
  readonly used_by?: readonly string[] | null;
}

// ---- instances ----
export type InstanceType = "container" | "virtual-machine";

/** Where a new instance comes from. A local image is `{ type: "image", alias }` (no `server`). */
export type InstanceSource =
  | {
      readonly type: "image";
      readonly alias?: string;
      readonly fingerprint?: string;
      readonly server?: string;
      readonly protocol?: "incus" | "simplestreams";
    }
  | { readonly type: "none" }
  | { readonly type: "copy"; readonly source: string; readonly instance_only?: boolean };

/** The writable part of an instance (PUT replaces all of it: send back volatile.* verbatim). */
export interface InstancePut {
  readonly architecture?: string;
  readonly config: ConfigMap;
  readonly devices: DeviceMap;
  readonly profiles: readonly string[];
  readonly description?: string;
  readonly ephemeral?: boolean;
  readonly stateful?: boolean;
}

export interface InstanceCreate {
  readonly name: string;
  readonly type?: InstanceType;
  readonly source: InstanceSource;
  /** Omitted → the target project's `default` profile. */
  readonly profiles?: readonly string[];
  readonly config?: ConfigMap;
  readonly devices?: DeviceMap;
  readonly description?: string;
  readonly ephemeral?: boolean;
  /** Start once created (one operation instead of two). */
  readonly start?: boolean;
  /** Cluster member to create it on (`?target=`); absent: Incus places it. */
  readonly target?: string;
}

export interface InstanceState {
  readonly status: string;
  readonly status_code: number;
  readonly pid?: number;
  readonly processes?: number;
  readonly [key: string]: unknown;
}

export interface Snapshot {
  readonly name: string;
  readonly created_at?: string;
  readonly expires_at?: string | null;
  readonly stateful?: boolean;
  readonly config?: ConfigMap;
  readonly devices?: DeviceMap;
  readonly profiles?: readonly string[];
}

export interface Instance {
  readonly name: string;
  readonly project: string;
  readonly type: InstanceType;
  /** `Running`, `Stopped`, `Frozen`, `Error`, … */
  readonly status: string;
  readonly status_code: number;
  readonly description: string;
  readonly architecture: string;
  readonly ephemeral: boolean;
  readonly stateful: boolean;
  readonly profiles: readonly string[];
  /** Local config only: diff this, never `expanded_config`. */
  readonly config: ConfigMap;
  readonly devices: DeviceMap;
  readonly expanded_config: ConfigMap;
  readonly expanded_devices: DeviceMap;
  readonly created_at: string;
  readonly last_used_at: string;
  readonly location: string;
  /** Present when listed with `{ withState: true }` (recursion=2). */
  readonly state?: InstanceState | null;
  readonly snapshots?: readonly Snapshot[] | null;
}

export type InstanceAction = "start" | "stop" | "restart" | "freeze" | "unfreeze";

export interface InstanceStateOptions {
  /** Kill instead of a clean shutdown (stop/restart). */
  readonly force?: boolean;
  /** Seconds to wait for a clean shutdown before failing (Incus default 30; -1 = forever). */
  readonly timeout?: number;
  readonly stateful?: boolean;
}

export interface SnapshotCreate {
  readonly name: string;
  readonly stateful?: boolean;
  /** RFC 3339 time after which Incus deletes the snapshot. */
  readonly expires_at?: string;
}

// ---- images ----
export interface ImageAlias {
  readonly name: string;
  /** Fingerprint of the image the alias points to. */
  readonly target: string;
  readonly type?: string;
  readonly description?: string;
}

// ---- operations ----
export interface Operation {
  readonly id: string;
  readonly class: string;
  readonly description: string;
  readonly status: string;
  readonly status_code: number;
  readonly resources?: Record<string, readonly string[]> | null;
  readonly metadata?: Record<string, unknown> | null;
  readonly may_cancel?: boolean;
  readonly err?: string;
}

/** Options of `listInstances`. */
export interface ListOptions {
  /** Instances only: recursion=2, adding `state` and `snapshots` (still one call). */
  readonly withState?: boolean;
}

/** Result of a state change: false when the instance already was in the asked state. */
export interface StateChange {
  readonly changed: boolean;
}

/**
 * A plain Incus collection beside the typed ones (`network-acls`,
 * `storage-pools/<pool>/volumes/custom`): named objects read with recursion=1, written with
 * POST, PUT + If-Match and DELETE. A kind that needs no more than this needs no driver change.
 */
export interface Collection<T extends { readonly name: string }, W> {
  /** One recursion=1 call in `project`. */
  list(project: string): Promise<T[]>;
  /** One recursion=1 call for every project (`all-projects=true`); objects carry `project`. */
  listAll(): Promise<(T & { readonly project: string })[]>;
  /** Names only (recursion=0: no `used_by` computed by the daemon). */
  names(project: string): Promise<string[]>;
  get(project: string, name: string): Promise<Etagged<T>>;
  create(project: string, value: W & { readonly name: string }): Promise<void>;
  update(project: string, name: string, value: W, etag: string): Promise<void>;
  delete(project: string, name: string): Promise<void>;
}

/**
 * Everything plumbline asks of Incus. Every method is one logical action; async Incus operations
 * are waited for before the promise settles. Failures are DriverError subclasses:
 * NotFoundError, AlreadyExistsError, PreconditionFailedError (stale ETag: re-read and re-diff),
 * OperationFailedError, IncusTimeoutError, ConnectionError, CertificateMismatchError.
 */
export interface IncusDriver {
  /** `GET /1.0`: API extensions, server version, certificate. */
  server(): Promise<ServerInfo>;
  /** HTTP requests sent so far by this driver (operation waits included). */
  apiCalls(): number;
  /** Release pooled connections. */
  close(): void;

  listProjects(): Promise<Project[]>;
  getProject(name: string): Promise<Etagged<Project>>;
  createProject(project: ProjectCreate): Promise<void>;
  updateProject(name: string, value: ProjectPut, etag: string): Promise<void>;
  deleteProject(name: string): Promise<void>;

  listNetworks(project: string): Promise<Network[]>;
  getNetwork(project: string, name: string): Promise<Etagged<Network>>;
  createNetwork(project: string, network: NetworkCreate): Promise<void>;
  updateNetwork(project: string, name: string, value: NetworkPut, etag: string): Promise<void>;
  deleteNetwork(project: string, name: string): Promise<void>;

  listProfiles(project: string): Promise<Profile[]>;
  getProfile(project: string, name: string): Promise<Etagged<Profile>>;
  createProfile(project: string, profile: ProfileCreate): Promise<void>;
  updateProfile(project: string, name: string, value: ProfilePut, etag: string): Promise<void>;
  deleteProfile(project: string, name: string): Promise<void>;

  /**
   * One recursion=1 call (recursion=2 with `withState`). Incus answers `[]` for a project that
   * does not exist, so an empty answer costs one more call: the project is checked (404 → NotFound).
   */
  listInstances(project: string, options?: ListOptions): Promise<Instance[]>;
  getInstance(project: string, name: string): Promise<Etagged<Instance>>;
  createInstance(project: string, instance: InstanceCreate): Promise<void>;
  /** PUT replaces the whole instance: build `value` from a fresh GET, volatile.* included. */
  updateInstance(project: string, name: string, value: InstancePut, etag: string): Promise<void>;
  deleteInstance(project: string, name: string): Promise<void>;
  getInstanceState(project: string, name: string): Promise<InstanceState>;
  setInstanceState(
    project: string,
    name: string,
    action: InstanceAction,
    options?: InstanceStateOptions,
  ): Promise<StateChange>;

  listSnapshots(project: string, instance: string): Promise<Snapshot[]>;
  createSnapshot(project: string, instance: string, snapshot: SnapshotCreate): Promise<void>;
  restoreSnapshot(project: string, instance: string, name: string): Promise<void>;
  deleteSnapshot(project: string, instance: string, name: string): Promise<void>;

  /** Operations still running, in every project (one call). */
  runningOperations(): Promise<Operation[]>;

  /** Image aliases of a project (`default` when omitted): one recursion=1 call. */
  listImageAliases(project?: string): Promise<ImageAlias[]>;

  /** Wait for an operation (`/1.0/operations/<id>` or the bare id) to finish; its result. */
  waitOperation(operation: string, project?: string): Promise<Operation>;

  /** The collection at `/1.0/<path>` (no leading slash), e.g. `network-acls`. */
  collection<T extends { readonly name: string }, W>(path: string): Collection<T, W>;
}
