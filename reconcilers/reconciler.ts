// The contract every resource kind implements (anklume's six reconcile steps, docs/reconcile.md):
//   1 read   — `read(live)`: one recursion=1 listing per project, shared by every kind (LiveView)
//   2 parse  — the same call turns Incus objects into ObservedObjects (the managed view + ownership)
//   3 desired— `desired.ts` builds DesiredObjects from the Estate (the model the generator uses)
//   4–6      — `diff(desired, observed)`: create what is missing, update what differs, report
//              orphans (delete them only with auto_cleanup)
// and `apply(change, driver)` performs one change. read and apply do I/O through the injected
// driver; diff is pure.
// A kind lives in one folder (reconcilers/kinds/<kind>/) and is registered by one line in
// registry.ts; the shared kit (reconcilers/kit/) holds the generic diff, the apply switch and
// guards, and the ownership labels.
import type { DesiredInput } from "./desired.js";
import type {
  ConfigMap,
  IncusDriver,
  Instance,
  Network,
  Profile,
  Project,
} from "./drivers/incus/types.js";
import type { Change, DesiredObject, Kind, ObservedObject } from "./model.js";

/** Memoized listings: every kind reads through it, so each listing is fetched once per plan. */
export interface LiveView {
  projects(): Promise<Project[]>;
  /** Networks of the `default` project (domain projects use `features.networks=false`). */
  networks(): Promise<Network[]>;
  profiles(project: string): Promise<Profile[]>;
  instances(project: string): Promise<Instance[]>;
  /** Any other listing a kind needs, fetched once per plan under `key`. */
  once<T>(key: string, load: (driver: IncusDriver) => Promise<T>): Promise<T>;
}

export interface ReadScope {
  /** The estate's `project_name`: the owner written into `user.plumb.owner`. */
  readonly owner: string;
  /** Incus projects to read profiles and instances from (declared ∪ owned, within --limit). */
  readonly projects: readonly string[];
}

/** Whether plumb may act inside a project (it must own it, or be about to create it). */
export type ProjectAccess =
  | { readonly ok: true; readonly creating: boolean }
  | { readonly ok: false; readonly reason: string };

export interface DiffContext {
  readonly owner: string;
  /** `global.auto_cleanup: true`: owned objects no longer declared are deleted (else reported). */
  readonly autoCleanup: boolean;
  projectAccess(project: string): ProjectAccess;
  /** False for objects outside `--limit` and those of disabled domains: neither changed nor orphaned. */
  inScope(ref: ObservedObject["ref"]): boolean;
}

export interface ApplyContext {
  readonly owner: string;
  /** Apply `update-restart` changes (restarting the instance); otherwise they are skipped. */
  readonly allowRestart: boolean;
  /** Whether the host runs virtual machines (Incus `driver` includes qemu). */
  readonly vmSupported: boolean;
  /** Seconds a clean stop may take before it is forced. */
  readonly stopTimeout: number;
}

export type ApplyOutcome =
  | { readonly status: "done"; readonly detail?: string }
  | { readonly status: "skipped"; readonly reason: string };

/** What `plumb import` asks of a kind: write the labels onto the live object (GET → PUT). */
export interface AdoptContext {
  /** The labels to add (`user.plumb.owner`, `.id`, `.hash`, `.image`). */
  readonly labels: ConfigMap;
  /** False (and the object is reported as skipped) when the live config belongs to another estate. */
  mayTake(config: ConfigMap): boolean;
}

export interface Reconciler<K extends Kind> {
  readonly kind: K;
  /**
   * Where the kind's deletes run among the delete waves (lower first): children before what holds
   * them (`plumb flush` and auto_cleanup use the same order). Creates and updates run in registry order.
   */
  readonly deleteRank: number;
  /** At most this many changes of the kind at once (default: the apply's parallelism). */
  readonly maxConcurrency?: number;
  /** Step 3: the kind's desired objects, from the resolved estate. Pure. */
  desired(input: DesiredInput): DesiredObject<K>[];
  read(live: LiveView, scope: ReadScope): Promise<ObservedObject<K>[]>;
  diff(
    desired: readonly DesiredObject<K>[],
    observed: readonly ObservedObject<K>[],
    ctx: DiffContext,
  ): Change<K>[];
  apply(change: Change<K>, driver: IncusDriver, ctx: ApplyContext): Promise<ApplyOutcome>;
  /**
   * `plumb import`: labels the live object as this estate's; true when written. Absent: the kind
   * has nothing to label (its objects are another kind's, or only created by plumb). Import
   * writes kind by kind in registry order.
   */
  adopt?(desired: DesiredObject<K>, driver: IncusDriver, ctx: AdoptContext): Promise<boolean>;
}
