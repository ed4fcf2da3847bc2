// The fake Incus's objects and routes: projects, networks and profiles here, instances in
// fake-instances.ts. Statuses, messages and ETag fields follow Incus 6.0.4, checked against the real daemon by the conformance suite.
import { collectionOf, missingAcl, routeCollection } from "./fake-collections.js";
import { FakeInstances } from "./fake-instances.js";
import type { FakeOperations } from "./fake-operations.js";
import {
  type Config,
  type Devices,
  errorReply,
  etagOf,
  type Reply,
  type Space,
  sync,
} from "./fake-replies.js";

export { envelopeError, errorReply, type Reply } from "./fake-replies.js";

export class FakeStore {
  /** Instance routes; `instances.images` holds the image aliases instances may be created from. */
  readonly instances: FakeInstances;
  readonly projects = new Map<string, Space>();
  readonly #ops: FakeOperations;

  constructor(ops: FakeOperations) {
    this.#ops = ops;
    this.instances = new FakeInstances(ops);
    this.projects.set(
      "default",
      this.#space("Default Incus project", {
        "features.images": "true",
        "features.profiles": "true",
      }),
    );
  }

  #space(description: string, config: Config): Space {
    const profiles = new Map([["default", { description: "", config: {}, devices: {} }]]);
    return {
      description,
      config,
      networks: new Map(),
      profiles,
      instances: new Map(),
      collections: new Map(),
    };
  }

  route(method: string, url: URL, body: unknown, ifMatch: string | undefined): Reply {
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== "1.0") return errorReply(404, "not found");
    const project = url.searchParams.get("project") ?? "default";
    const recursion = Number(url.searchParams.get("recursion") ?? "0");
    const b = (body ?? {}) as Record<string, unknown>;
    const [, kind, name, sub, subName] = parts;
    if (kind === undefined) {
      const info = { api_extensions: ["instances"], api_status: "stable", api_version: "1.0" };
      return sync(
        { ...info, auth: "trusted", config: {}, environment: { server_version: "6.0.4" } },
        200,
        etagOf([{}]),
      );
    }
    if (kind === "projects") return this.#projects(method, name, b, ifMatch, recursion);
    if (kind === "operations" && !name && method === "GET") {
      const byStatus: Record<string, unknown[]> = {};
      for (const op of this.#ops.list()) {
        const key = op.status.toLowerCase();
        byStatus[key] = [...(byStatus[key] ?? []), this.#ops.json(op)];
      }
      return sync(byStatus);
    }
    if (kind === "operations" && name) {
      const op = this.#ops.get(name);
      return op ? sync(this.#ops.json(op)) : errorReply(404, "Operation not found");
    }
    if (kind === "storage-pools" && name === undefined && method === "GET") {
      const pool = {
        name: "default",
        driver: "dir",
        description: "",
        config: {},
        status: "Created",
      };
      return sync(recursion ? [pool] : ["/1.0/storage-pools/default"]);
    }
    const collection = collectionOf(parts);
    if (collection) {
      const { kind: c, name: n } = collection;
      return routeCollection(this.projects, project, c, method, n, b, ifMatch, url.searchParams);
    }
    if ((kind === "instances" || kind === "profiles") && !name && method === "GET") {
      if (url.searchParams.get("all-projects") === "true") return this.#allProjects(kind);
    }
    const space = this.projects.get(project);
    if (kind === "instances") {
      if (!space) return name ? errorReply(404, "Project not found") : sync([]); // the quirk
      if (sub === "snapshots" && name)
        return this.instances.snapshots(method, space, project, name, subName, b, recursion);
      if (sub === "state" && name) return this.instances.state(method, space, name, b);
      return this.instances.route(method, space, project, name, b, ifMatch, recursion);
    }
    if (!space) return errorReply(404, "Project not found");
    if (kind === "images" && name === "aliases" && method === "GET") {
      // One fingerprint for every alias: the fake's instances all record it as their base image.
      return sync(
        [...this.instances.images].map((a) => ({
          name: a,
          target: "7638b0294147",
          type: "container",
          description: "",
        })),
      );
    }
    if (kind === "networks" || kind === "profiles") {
      return this.#simple(kind, method, space, name, b, ifMatch, recursion);
    }
    return errorReply(404, "not found");
  }

  /** A bridge's `used_by`: profiles and instances with a nic on it, in every project. */
  #networkUsers(network: string): string[] {
    const out: string[] = [];
    const onIt = (devices: Devices) => Object.values(devices).some((d) => d.network === network);
    for (const [p, s] of this.projects) {
      for (const [n, pr] of s.profiles)
        if (onIt(pr.devices)) out.push(`/1.0/profiles/${n}?project=${p}`);
      for (const [n, i] of s.instances)
        if (onIt(i.devices)) out.push(`/1.0/instances/${n}?project=${p}`);
    }
    return out;
  }

  /** `all-projects=true` listings: every project's objects, each carrying its `project`. */
  #allProjects(kind: "instances" | "profiles"): Reply {
    const out: unknown[] = [];
    for (const p of this.projects.keys()) {
      const url = new URL(`http://incus/1.0/${kind}?recursion=1&project=${encodeURIComponent(p)}`);
      const r = this.route("GET", url, undefined, undefined);
      const items = (r.body as { metadata: Record<string, unknown>[] }).metadata;
      out.push(...items.map((o) => ({ ...o, project: p })));
    }
    return sync(out);
  }

  #projects(
    method: string,
    name: string | undefined,
    b: Record<string, unknown>,
    ifMatch: string | undefined,
    recursion: number,
  ): Reply {
    const view = (n: string, s: Space) => ({
      name: n,
      description: s.description,
      config: s.config,
      used_by: [],
    });
    const tag = (s: Space) => etagOf([s.description, s.config]);
    if (!name) {
      if (method === "GET") {
        const all = [...this.projects].map(([n, s]) =>
          recursion ? view(n, s) : `/1.0/projects/${n}`,
        );
        return sync(all);
      }
      const n = String(b.name);
      if (this.projects.has(n))
        return errorReply(
          500,
          `Failed creating project "${n}": Failed adding database record: Failed to create "projects" entry: UNIQUE constraint failed: projects.name`,
        );
      const config = { ...(b.config as Config) };
      if (config["features.profiles"] === "true") config["features.storage.buckets"] ??= "true";
      this.projects.set(n, this.#space(String(b.description ?? ""), config));
      return sync(null, 201, undefined, `/1.0/projects/${n}`);
    }
    const s = this.projects.get(name);
    if (!s) return errorReply(404, "Project not found");
    if (method === "GET") return sync(view(name, s), 200, tag(s));
    if (method === "PUT") {
      if (ifMatch !== undefined && ifMatch !== tag(s))
        return errorReply(412, `ETag doesn't match: ${tag(s)} vs ${ifMatch}`);
      s.description = String(b.description ?? "");
      s.config = { ...(b.config as Config) };
      return sync(null);
    }
    if (method === "DELETE") {
      if (name === "default") return errorReply(403, "The 'default' project cannot be deleted");
      if (s.instances.size > 0) return errorReply(500, "Only empty projects can be removed.");
      this.projects.delete(name);
      return sync(null);
    }
    return errorReply(405, "method not allowed");
  }

  #simple(
    kind: "networks" | "profiles",
    method: string,
    space: Space,
    name: string | undefined,
    b: Record<string, unknown>,
    ifMatch: string | undefined,
    recursion: number,
  ): Reply {
    const map = space[kind] as Map<
      string,
      { description: string; type?: string; config: Config; devices?: Devices }
    >;
    const view = (n: string) => {
      const o = map.get(n);
      return kind === "networks"
        ? { name: n, managed: true, status: "Created", used_by: this.#networkUsers(n), ...o }
        : { name: n, used_by: [], ...o };
    };
    const tag = (n: string) => {
      const o = map.get(n);
      return kind === "networks"
        ? etagOf([n, true, o?.type, o?.description, o?.config])
        : etagOf([o?.config, o?.description, o?.devices]);
    };
    const label = kind === "networks" ? "Network" : "Profile";
    if (!name) {
      if (method === "GET")
        return sync([...map.keys()].map((n) => (recursion ? view(n) : `/1.0/${kind}/${n}`)));
      const n = String(b.name);
      if (map.has(n))
        return kind === "networks"
          ? errorReply(409, `Network "${n}" already exists`)
          : errorReply(500, "The profile already exists");
      const config = { ...(b.config as Config) };
      if (kind === "networks") {
        const missing = missingAcl(this.projects, config);
        if (missing) return missing;
        if (config["ipv4.address"] === undefined) config["ipv4.address"] = "10.1.2.1/24"; // server-filled
        map.set(n, {
          description: String(b.description ?? ""),
          type: String(b.type ?? "bridge"),
          config,
        });
      } else {
        map.set(n, {
          description: String(b.description ?? ""),
          config,
          devices: { ...(b.devices as Devices) },
        });
      }
      return sync(null, 201, undefined, `/1.0/${kind}/${n}`);
    }
    const o = map.get(name);
    if (!o) return errorReply(404, `${label} not found`);
    if (method === "GET") return sync(view(name), 200, tag(name));
    if (method === "PUT") {
      if (ifMatch !== undefined && ifMatch !== tag(name))
        return errorReply(412, `ETag doesn't match: ${tag(name)} vs ${ifMatch}`);
      if (kind === "networks") {
        const missing = missingAcl(this.projects, (b.config as Config) ?? {});
        if (missing) return missing;
      }
      o.description = String(b.description ?? "");
      o.config = { ...(b.config as Config) };
      if (kind === "profiles") o.devices = { ...(b.devices as Devices) };
      return sync(null);
    }
    if (method === "DELETE") {
      if (kind === "networks" && this.#networkUsers(name).length > 0)
        return errorReply(400, "The network is currently in use");
      map.delete(name);
      return sync(null);
    }
    return errorReply(405, "method not allowed");
  }
}
