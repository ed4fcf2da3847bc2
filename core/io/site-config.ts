// Site settings: what differs between the machines an estate is applied from, not the estate
// itself. From `.plumb/site.yml` (git-ignored, per machine: docs/reconcile.md "Site settings"),
// then the environment, then flags; every plan records which of them were used:
//   image_map:         {images:debian/13: plumb-busybox}   PLUMB_IMAGE_MAP="a=b,c=d"   --image-map a=b
//   bridge_addresses:  declared | none                      PLUMB_BRIDGE_ADDRESSES      --bridge-addresses
//   storage_pool:      default                              PLUMB_STORAGE_POOL
//   incus:             {url, client_cert, client_key, server_cert | server_fingerprint} (remote)
//   signing:           {keys: [private key file, …]}   the keys `plumb apply` signs contracts with
// and the incus CLI's remotes (read-only) to resolve `remote:alias` images.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import yaml from "js-yaml";
import { PlumbError } from "../errors.js";
import { STATE_DIR } from "./plumb-state.js";

export interface SiteFile {
  readonly image_map?: Record<string, string>;
  readonly bridge_addresses?: string;
  readonly storage_pool?: string;
  readonly incus?: {
    readonly socket?: string;
    readonly url?: string;
    readonly client_cert?: string;
    readonly client_key?: string;
    readonly server_cert?: string;
    readonly server_fingerprint?: string;
  };
  readonly signing?: { readonly keys?: readonly string[] };
}

export interface SiteFlags {
  readonly imageMap?: readonly string[] | undefined;
  readonly bridgeAddresses?: string | undefined;
}

/** Where the active settings came from, in precedence order: `.plumb/site.yml`, `PLUMB_IMAGE_MAP`, `--image-map`, … */
export type SiteSource = string;

export interface Site {
  readonly sources: readonly SiteSource[];
  readonly imageMapPairs: readonly string[];
  readonly bridgeAddresses: "declared" | "none";
  readonly storagePool: string;
  readonly incus: SiteFile["incus"];
  readonly remotes: Record<string, { addr: string; protocol: string }>;
  /** Private key files (absolute) `plumb apply` signs delivered contracts with (docs/delivery.md). */
  readonly signingKeys: readonly string[];
}

const SITE_KEYS = ["image_map", "bridge_addresses", "storage_pool", "incus", "signing"];

function bad(message: string): PlumbError {
  return new PlumbError("PLB725", message);
}

function readYaml(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    return yaml.load(text);
  } catch (e) {
    throw bad(`${path}: not valid YAML (${(e as Error).message.split("\n")[0]})`);
  }
}

function siteFile(root: string): SiteFile {
  const path = join(root, STATE_DIR, "site.yml");
  const v = readYaml(path);
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw bad(`${path}: expected a mapping`);
  const unknown = Object.keys(v).filter((k) => !SITE_KEYS.includes(k));
  if (unknown.length > 0) {
    throw bad(`${path}: unknown setting ${unknown.join(", ")} (known: ${SITE_KEYS.join(", ")})`);
  }
  return v as SiteFile;
}

/** The incus CLI's remotes: $INCUS_CONF/config.yml or ~/.config/incus/config.yml, then /etc/incus. */
export function incusRemotes(
  env: NodeJS.ProcessEnv,
): Record<string, { addr: string; protocol: string }> {
  const files = [
    join(env.INCUS_GLOBAL_CONF ?? "/etc/incus", "config.yml"),
    join(env.INCUS_CONF ?? join(env.HOME ?? homedir(), ".config", "incus"), "config.yml"),
  ];
  const out: Record<string, { addr: string; protocol: string }> = {};
  for (const f of files) {
    let v: unknown;
    try {
      v = readYaml(f);
    } catch {
      continue; // a broken CLI config is the CLI's problem; images then need the map
    }
    const remotes = (v as { remotes?: Record<string, { addr?: unknown; protocol?: unknown }> })
      ?.remotes;
    for (const [name, r] of Object.entries(remotes ?? {})) {
      if (typeof r?.addr === "string") {
        out[name] = {
          addr: r.addr,
          protocol: typeof r.protocol === "string" ? r.protocol : "incus",
        };
      }
    }
  }
  return out;
}

export const SITE_FILE = `${STATE_DIR}/site.yml`;

export function loadSite(root: string, env: NodeJS.ProcessEnv, flags: SiteFlags = {}): Site {
  const file = siteFile(root);
  const sources: SiteSource[] = [];
  const used = (name: string, v: unknown) => {
    if (v !== undefined && v !== "" && !sources.includes(name)) sources.push(name);
  };
  if (Object.keys(file).length > 0) sources.push(SITE_FILE);
  const pairs: string[] = [];
  const fileMap = file.image_map ?? {};
  if (typeof fileMap !== "object" || Array.isArray(fileMap))
    throw bad("site.yml: image_map must be a mapping");
  for (const [k, v] of Object.entries(fileMap)) pairs.push(`${k}=${String(v)}`);
  if (env.PLUMB_IMAGE_MAP) pairs.push(env.PLUMB_IMAGE_MAP);
  used("PLUMB_IMAGE_MAP", env.PLUMB_IMAGE_MAP);
  pairs.push(...(flags.imageMap ?? []));
  used("--image-map", flags.imageMap?.length ? "x" : undefined);
  used("PLUMB_BRIDGE_ADDRESSES", flags.bridgeAddresses ? undefined : env.PLUMB_BRIDGE_ADDRESSES);
  used("--bridge-addresses", flags.bridgeAddresses);
  used("PLUMB_STORAGE_POOL", env.PLUMB_STORAGE_POOL);
  // An empty variable counts as unset (a script clearing it must not turn it into a value).
  const bridge =
    flags.bridgeAddresses || env.PLUMB_BRIDGE_ADDRESSES || file.bridge_addresses || "declared";
  if (bridge !== "declared" && bridge !== "none") {
    throw bad(`bridge addresses must be 'declared' or 'none' (got '${bridge}')`);
  }
  const incus = file.incus
    ? {
        ...file.incus,
        ...(file.incus.client_cert ? { client_cert: resolve(root, file.incus.client_cert) } : {}),
        ...(file.incus.client_key ? { client_key: resolve(root, file.incus.client_key) } : {}),
        ...(file.incus.server_cert ? { server_cert: resolve(root, file.incus.server_cert) } : {}),
      }
    : undefined;
  if (!incus?.url) used("INCUS_SOCKET", env.INCUS_SOCKET || env.INCUS_DIR);
  const keys = file.signing?.keys ?? [];
  if (
    (file.signing !== undefined && (typeof file.signing !== "object" || file.signing === null)) ||
    !Array.isArray(keys) ||
    keys.some((k) => typeof k !== "string" || k === "")
  )
    throw bad("site.yml: signing must be {keys: [path of a private key file, …]}");
  return {
    sources,
    imageMapPairs: pairs,
    bridgeAddresses: bridge,
    storagePool: env.PLUMB_STORAGE_POOL || file.storage_pool || "default",
    incus,
    remotes: incusRemotes(env),
    // ~ is the home directory; relative paths are from the repository root.
    signingKeys: keys.map((k) =>
      k.startsWith("~/") ? join(env.HOME ?? homedir(), k.slice(2)) : resolve(root, k),
    ),
  };
}
