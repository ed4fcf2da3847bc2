// The fake Incus's plain collections: network ACLs and custom storage volumes, answered like
// Incus 6.0.4 does (verified on the daemon): duplicate ACL → 400 "already exists", duplicate
// volume → 409, stale If-Match → 412, rules need a `state`, an ACL a network uses cannot be
// deleted (500) nor a network name a missing ACL (500), `all-projects=true` lists every project's
// objects.
import { type Config, errorReply, etagOf, type Reply, type Space, sync } from "./fake-replies.js";

type Rec = Record<string, unknown> & { config: Config };

export interface CollectionKind {
  /** `network-acls` or `storage-pools/<pool>/volumes/custom`. */
  readonly key: string;
  readonly label: "ACL" | "volume";
}

/** The collection a path names, with the object name if any; undefined for other paths. */
export function collectionOf(
  parts: readonly string[],
): { kind: CollectionKind; name: string | undefined } | undefined {
  if (parts[1] === "network-acls")
    return { kind: { key: "network-acls", label: "ACL" }, name: parts[2] };
  if (parts[1] === "storage-pools" && parts[3] === "volumes" && parts[4] === "custom") {
    return {
      kind: { key: `storage-pools/${parts[2]}/volumes/custom`, label: "volume" },
      name: parts[5],
    };
  }
  return undefined;
}

/** The collection's objects; an empty one is only stored once something is created in it. */
function mapOf(space: Space, key: string): Map<string, Rec> {
  const m = space.collections.get(key) as Map<string, Rec> | undefined;
  if (m) return m;
  const fresh = new Map<string, Rec>();
  const set = fresh.set.bind(fresh);
  fresh.set = (k, v) => {
    space.collections.set(key, fresh);
    fresh.set = set;
    return set(k, v);
  };
  return fresh;
}

const RULE_STATES = new Set(["enabled", "disabled", "logged"]);

function badRules(b: Record<string, unknown>): string | undefined {
  for (const dir of ["ingress", "egress"] as const) {
    const rules = (b[dir] ?? []) as Record<string, unknown>[];
    for (const [i, r] of rules.entries()) {
      if (!RULE_STATES.has(String(r.state ?? "")))
        return `Invalid ${dir} rule ${i}: State must be one of: enabled, disabled, logged`;
    }
  }
  return undefined;
}

function inUse(spaces: Map<string, Space>, kind: CollectionKind, name: string): boolean {
  for (const s of spaces.values()) {
    if (kind.key === "network-acls") {
      for (const n of s.networks.values())
        if ((n.config["security.acls"] ?? "").split(",").includes(name)) return true;
    } else {
      const pool = kind.key.split("/")[1];
      for (const i of s.instances.values())
        for (const d of Object.values(i.devices))
          if (d.type === "disk" && d.pool === pool && d.source === name) return true;
    }
  }
  return false;
}

export function routeCollection(
  spaces: Map<string, Space>,
  projectName: string,
  kind: CollectionKind,
  method: string,
  name: string | undefined,
  b: Record<string, unknown>,
  ifMatch: string | undefined,
  query: URLSearchParams,
): Reply {
  const view = (project: string, n: string, o: Rec) =>
    kind.key === "network-acls"
      ? { name: n, description: "", ingress: [], egress: [], ...o, used_by: [], project }
      : { name: n, description: "", type: "custom", content_type: "filesystem", ...o, project };
  if (!name && method === "GET" && query.get("all-projects") === "true") {
    const all = [...spaces].flatMap(([p, s]) =>
      [...mapOf(s, kind.key)].map(([n, o]) => view(p, n, o)),
    );
    return sync(all);
  }
  const space = spaces.get(projectName);
  if (!space) return errorReply(404, "Project not found");
  const map = mapOf(space, kind.key);
  const tag = (o: Rec) => etagOf([o.description, o.config, o.ingress, o.egress]);
  if (!name) {
    if (method === "GET")
      return sync(
        [...map].map(([n, o]) =>
          query.get("recursion") ? view(projectName, n, o) : `/1.0/${kind.key}/${n}`,
        ),
      );
    const n = String(b.name);
    if (map.has(n))
      return kind.label === "ACL"
        ? errorReply(400, "The network ACL already exists")
        : errorReply(409, "Volume by that name already exists");
    const bad = badRules(b);
    if (bad) return errorReply(500, bad);
    const { name: _n, ...rest } = b;
    map.set(n, { ...rest, config: { ...((b.config as Config) ?? {}) } } as Rec);
    return sync(null, 201, undefined, `/1.0/${kind.key}/${n}`);
  }
  const o = map.get(name);
  if (!o)
    return errorReply(
      404,
      kind.label === "ACL" ? "Network ACL not found" : "Storage pool volume not found",
    );
  if (method === "GET") return sync(view(projectName, name, o), 200, tag(o));
  if (method === "PUT") {
    if (ifMatch !== undefined && ifMatch !== tag(o))
      return errorReply(412, `ETag doesn't match: ${tag(o)} vs ${ifMatch}`);
    const bad = badRules(b);
    if (bad) return errorReply(500, bad);
    const kept = kind.label === "volume" ? { type: o.type, content_type: o.content_type } : {};
    map.set(name, { ...kept, ...b, config: { ...((b.config as Config) ?? {}) } } as Rec);
    return sync(null);
  }
  if (method === "DELETE") {
    if (inUse(spaces, kind, name))
      return kind.label === "ACL"
        ? errorReply(500, "Cannot delete an ACL that is in use")
        : errorReply(400, "Storage volume is still in use");
    map.delete(name);
    return sync(null);
  }
  return errorReply(405, "method not allowed");
}

/** Incus refuses a bridge whose `security.acls` names an ACL that does not exist. */
export function missingAcl(spaces: Map<string, Space>, config: Config): Reply | undefined {
  const acls = mapOf(spaces.get("default") as Space, "network-acls");
  for (const name of (config["security.acls"] ?? "").split(",").filter(Boolean)) {
    if (!acls.has(name)) return errorReply(500, `Network ACL "${name}" does not exist`);
  }
  return undefined;
}
