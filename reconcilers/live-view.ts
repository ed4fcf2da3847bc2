// LiveView over an IncusDriver: each listing is fetched once per plan, whichever kinds read it
// (instances and their running state come from the same recursion=1 call).
import type {
  IncusDriver,
  Instance,
  Network,
  Profile,
  Project,
  ServerInfo,
} from "./drivers/incus/types.js";
import type { LiveView } from "./reconciler.js";

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
  networks(): Promise<Network[]> {
    return this.#once("networks", () => this.#driver.listNetworks("default"));
  }
  profiles(project: string): Promise<Profile[]> {
    return this.#once(`profiles/${project}`, () => this.#driver.listProfiles(project));
  }
  instances(project: string): Promise<Instance[]> {
    return this.#once(`instances/${project}`, () => this.#driver.listInstances(project));
  }
}
