// `plumb import`, the pure part: live Incus objects → an infra document that reproduces them
// (anklume's `setup import`, but complete enough that importing then planning shows no change).
// Each non-default project with its own profiles is a domain; its bridge is `net-<domain>`;
// legacy addressing (`base_subnet` + `subnet_id`) so no automatic IP is invented. What the
// format cannot say is returned as a warning.
import type {
  InfraDocument,
  InfraDomain,
  InfraMachine,
  InfraProfile,
} from "../../core/model/infra.js";
import type {
  ConfigMap,
  DeviceMap,
  ImageAlias,
  Instance,
  Network,
  Profile,
  Project,
} from "../drivers/incus/types.js";
import { isServerKey } from "../kinds/instance/observe.js";
import { IMAGE_KEY, PLUMB_PREFIX } from "../kit/ownership.js";

export interface LiveEstate {
  readonly projects: readonly Project[];
  readonly networks: readonly Network[];
  readonly profiles: ReadonlyMap<string, readonly Profile[]>;
  readonly instances: ReadonlyMap<string, readonly Instance[]>;
  readonly aliases: readonly ImageAlias[];
}

export interface ImportOptions {
  readonly name: string;
  /** Import only these projects (default: every project but `default`). */
  readonly projects?: readonly string[] | undefined;
  readonly storagePool: string;
}

export interface Imported {
  readonly document: InfraDocument;
  /** `declared` when the bridges have IPv4 subnets, `none` when they have no addresses. */
  readonly bridgeAddresses: "declared" | "none";
  readonly warnings: readonly string[];
}

const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const notOurs = (k: string) => !k.startsWith(PLUMB_PREFIX);
const sameJson = (a: unknown, b: unknown) => JSON.stringify(sort(a)) === JSON.stringify(sort(b));

function sort(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sort);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

function userConfig(config: ConfigMap): Record<string, string> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => notOurs(k) && !isServerKey(k)));
}

function defaultProfileExtras(
  p: Profile | undefined,
  domain: string,
  pool: string,
): InfraProfile | undefined {
  if (!p) return undefined;
  const base: DeviceMap = {
    eth0: { name: "eth0", network: `net-${domain}`, type: "nic" },
    root: { path: "/", pool, type: "disk" },
  };
  const devices: Record<string, { type: string; [k: string]: string }> = {};
  for (const [n, dev] of Object.entries(p.devices ?? {})) {
    if (!sameJson(dev, base[n])) devices[n] = { type: dev.type ?? "none", ...dev };
  }
  const config = userConfig(p.config ?? {});
  const extra: InfraProfile = {
    ...(Object.keys(config).length ? { config } : {}),
    ...(Object.keys(devices).length ? { devices } : {}),
  };
  return Object.keys(extra).length ? extra : undefined;
}

function machineOf(
  i: Instance,
  domain: string,
  declaredAddresses: boolean,
  aliases: ReadonlyMap<string, string>,
  warn: (w: string) => void,
): InfraMachine {
  const config = userConfig(i.config ?? {});
  const m: InfraMachine = {};
  if (i.description) m.description = i.description;
  if (i.type === "virtual-machine") m.type = "vm";
  const take = (key: string, ok: (v: string) => boolean, set: (v: string) => void) => {
    const v = config[key];
    if (v !== undefined && ok(v)) {
      set(v);
      delete config[key];
    }
  };
  take(
    "boot.autostart",
    (v) => v === "true" || v === "false",
    (v) => (m.boot_autostart = v === "true"),
  );
  take(
    "boot.autostart.priority",
    (v) => /^(100|[1-9]?\d)$/.test(v),
    (v) => (m.boot_priority = Number(v)),
  );
  take(
    "snapshots.schedule",
    (v) => /^(\S+\s+){4}\S+$/.test(v),
    (v) => (m.snapshots_schedule = v),
  );
  take(
    "snapshots.expiry",
    (v) => /^\d+[dhm]$/.test(v),
    (v) => (m.snapshots_expiry = v),
  );
  // anklume: machines that are not ephemeral are protected against deletion.
  if (config["security.protection.delete"] === "true") delete config["security.protection.delete"];
  else m.ephemeral = true;
  const profiles = [...(i.profiles ?? [])];
  if (!sameJson(profiles, ["default"])) m.profiles = profiles;
  const devices = { ...(i.devices ?? {}) };
  const eth0 = devices.eth0;
  const ip = eth0?.["ipv4.address"];
  if (
    declaredAddresses &&
    ip &&
    sameJson(eth0, { "ipv4.address": ip, name: "eth0", network: `net-${domain}`, type: "nic" })
  ) {
    m.ip = ip;
    delete devices.eth0;
  }
  if (Object.keys(devices).length) {
    m.devices = Object.fromEntries(
      Object.entries(devices).map(([n, d]) => [n, { type: d.type ?? "none", ...d }]),
    );
  }
  if (Object.keys(config).length) m.config = config;
  const declared = i.config?.[IMAGE_KEY];
  const base = i.config?.["volatile.base_image"] ?? "";
  const alias = declared ?? aliases.get(base);
  if (alias) m.os_image = alias;
  else {
    m.os_image = base.slice(0, 12);
    warn(
      `${i.name}: no alias names its image ${base.slice(0, 12)}; os_image set to the fingerprint (map it with --image-map)`,
    );
  }
  if (i.status !== "Running") m.state = "stopped";
  return m;
}

export function importEstate(live: LiveEstate, o: ImportOptions): Imported {
  const warnings: string[] = [];
  const warn = (w: string) => warnings.push(w);
  const aliases = new Map(live.aliases.map((a) => [a.target, a.name]));
  const nets = new Map(live.networks.map((n) => [n.name, n]));
  const chosen = live.projects
    .filter((p) => p.name !== "default" && (!o.projects || o.projects.includes(p.name)))
    .filter((p) => {
      if (!NAME.test(p.name) || p.name.length > 11)
        return void warn(
          `project ${p.name}: not a valid domain name (a–z, 0–9, -, at most 11 characters); skipped`,
        );
      if (p.config?.["features.profiles"] !== "true")
        return void warn(
          `project ${p.name}: shares the default project's profiles (features.profiles=false); skipped`,
        );
      return true;
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const subnets = new Map<string, { ab: string; c: number }>();
  for (const p of chosen) {
    const addr = nets.get(`net-${p.name}`)?.config?.["ipv4.address"];
    const m = /^(\d+\.\d+)\.(\d+)\.254\/24$/.exec(addr ?? "");
    if (m?.[1] && m[2]) subnets.set(p.name, { ab: m[1], c: Number(m[2]) });
    else if (addr && addr !== "none")
      warn(
        `net-${p.name}: ipv4.address ${addr} is not <a.b.c>.254/24; its subnet cannot be expressed`,
      );
  }
  const declaredAddresses = subnets.size > 0;
  const abs = new Set([...subnets.values()].map((s) => s.ab));
  if (abs.size > 1)
    warn(`bridges use several /16 prefixes (${[...abs].join(", ")}): base_subnet keeps the first`);
  const ab = [...abs][0];
  const used = new Set([...subnets.values()].map((s) => s.c));
  let nextId = 0;
  const seen = new Set<string>();
  const domains: Record<string, InfraDomain> = {};
  const images = new Map<string, number>();
  for (const p of chosen) {
    const net = nets.get(`net-${p.name}`);
    if (!net) warn(`project ${p.name}: no bridge net-${p.name}; plan will create one`);
    else if ((net.description ?? "") !== (p.description ?? ""))
      warn(`net-${p.name}: its description differs from project ${p.name}'s; plan will align it`);
    let id = subnets.get(p.name)?.c;
    if (id === undefined) {
      while (used.has(nextId)) nextId++;
      id = nextId;
      used.add(id);
    }
    const d: InfraDomain = { subnet_id: id };
    if (p.description) d.description = p.description;
    const profiles: Record<string, InfraProfile> = {};
    for (const pr of live.profiles.get(p.name) ?? []) {
      if (pr.name === "default") {
        const extra = defaultProfileExtras(pr, p.name, o.storagePool);
        if (extra) profiles.default = extra;
        continue;
      }
      const config = userConfig(pr.config ?? {});
      profiles[pr.name] = {
        ...(pr.description ? { description: pr.description } : {}),
        ...(Object.keys(config).length ? { config } : {}),
        ...(Object.keys(pr.devices ?? {}).length
          ? {
              devices: Object.fromEntries(
                Object.entries(pr.devices).map(([n, dv]) => [
                  n,
                  { type: dv.type ?? "none", ...dv },
                ]),
              ),
            }
          : {}),
      };
    }
    if (Object.keys(profiles).length) d.profiles = profiles;
    const machines: Record<string, InfraMachine> = {};
    for (const i of [...(live.instances.get(p.name) ?? [])].sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      if (!NAME.test(i.name))
        warn(`instance ${p.name}/${i.name}: not a valid machine name; skipped`);
      else if (seen.has(i.name))
        warn(`instance ${p.name}/${i.name}: a machine of that name was already imported; skipped`);
      else {
        seen.add(i.name);
        machines[i.name] = machineOf(i, p.name, declaredAddresses, aliases, warn);
        const img = machines[i.name]?.os_image ?? "";
        images.set(img, (images.get(img) ?? 0) + 1);
      }
    }
    if (Object.keys(machines).length) d.machines = machines;
    domains[p.name] = d;
  }
  // The most common image becomes the default; machines keep theirs only when it differs.
  const defaultImage = [...images].sort((a, b) => b[1] - a[1])[0]?.[0];
  for (const d of Object.values(domains)) {
    for (const m of Object.values(d.machines ?? {}))
      if (m.os_image === defaultImage) delete m.os_image;
  }
  const document: InfraDocument = {
    project_name: o.name,
    global: {
      ...(ab ? { base_subnet: ab } : {}),
      ...(defaultImage ? { default_os_image: defaultImage } : {}),
    },
    domains,
  };
  return { document, bridgeAddresses: declaredAddresses ? "declared" : "none", warnings };
}
