// LiveView over an IncusDriver: each listing is fetched once per plan, whichever kinds read it
// (instances and their running state come from the same recursion=1 call), with the fewest
// daemon calls: instances and profiles of all projects in one call each, and only the bridges
// plumb may own.

import { NotFoundError } from "./drivers/incus/errors.js";
import type {
  IncusDriver,
  Instance,
  Network,
  Profile,
  Project,
  ServerInfo,
} from "./drivers/incus/types.js";
import { mapLimitOrThrow } from "./pool.js";
import type { LiveView } from "./reconciler.js";

/** Bridges plumb creates are named `net-<domain>`. */
const BRIDGE_PREFIX = "net-";
/** Bridge GETs in flight at once. */
const BRIDGE_READS = 8;

export class CachedLiveView implements LiveView {
  readonly #driver: IncusDriver;
  readonly #memo = new Map<string, Promise<unknown>>();

  constructor(driver: IncusDriver) {
    this.#driver = driver;
  }

  once<T>(key: string, load: (driver: IncusDriver) => Promise<T>): Promise<T> {
    return this.#once(`kind:${key}`, () => load(this.#driver));
  }

  #once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.#memo.get(key) as Promise<T> | undefined;
    if (p === undefined) {
      p = load();
      this.#memo.set(key, p);
    }
    return p;
  }

  server(): Promise<ServerInfo> {
    return this.#once("server", () => this.#driver.server());
  }
  projects(): Promise<Project[]> {
    return this.#once("projects", () => this.#driver.listProjects());
  }
  /**
   * The bridges plumb may own (`net-*` in `default`), one GET each: the names cost one call
   * without `used_by`, where `GET /1.0/networks?recursion=1` makes the daemon compute `used_by`
   * of every interface of the host.
   */
  networks(): Promise<Network[]> {
    return this.#once("networks", async () => {
      const names = await this.#driver.collection<Network, never>("networks").names("default");
      const ours = names.filter((n) => n.startsWith(BRIDGE_PREFIX)).sort();
      const got = await mapLimitOrThrow(ours, BRIDGE_READS, (n) =>
        this.#driver.getNetwork("default", n).then(
          (r) => r.value,
          (err: unknown) => {
            // Deleted between the listing and the GET: it is simply not there.
            if (err instanceof NotFoundError) return undefined;
            throw err;
          },
        ),
      );
      return got.filter((n): n is Network => n !== undefined);
    });
  }
  /** Profiles of every project in one call (`all-projects=true`), shared by every project. */
  async profiles(project: string): Promise<Profile[]> {
    const all = await this.#once("profiles", () =>
      this.#driver.collection<Profile, never>("profiles").listAll(),
    );
    return all.filter((p) => p.project === project);
  }
  /** Instances of every project in one call (`all-projects=true`), shared by every project. */
  async instances(project: string): Promise<Instance[]> {
    const all = await this.#once("instances", () =>
      this.#driver.collection<Instance, never>("instances").listAll(),
    );
    return all.filter((i) => i.project === project);
  }
}
