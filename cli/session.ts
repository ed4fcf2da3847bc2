// The session every command shares: options that mean the same everywhere (lock timeout, integer
// options, output format, clock), loading and validating the estate, the Incus connection with the
// site settings, the verified keyring, and the one confirmation prompt. Commands import this module,
// never each other.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import type { Code } from "../core/codes.js";
import { PlumbError, UsageError, ValidationError } from "../core/errors.js";
import { gitDriver } from "../core/io/git.js";
import { loadVerifiedKeyring } from "../core/io/keyring-state.js";
import { loadSite, type Site } from "../core/io/site-config.js";
import { computeAddressing, type Renumber } from "../core/model/addressing.js";
import { renumberText } from "../core/model/addressing-lock.js";
import {
  buildEstate,
  DEFAULT_PERSISTENT_DATA_BASE,
  DEFAULT_SHARED_VOLUMES_BASE,
  type Estate,
} from "../core/model/estate.js";
import { parseIsoZ } from "../core/trust/time.js";
import { systemHostDriver } from "../reconcilers/drivers/host/host-networks.js";
import { ApiClient } from "../reconcilers/drivers/incus/api-client.js";
import {
  connectIncus,
  defaultSocketPath,
  type IncusConnection,
} from "../reconcilers/drivers/incus/connect.js";
import type { IncusApiDriver } from "../reconcilers/drivers/incus/incus-api-driver.js";
import { HttpsTransport, UnixSocketTransport } from "../reconcilers/drivers/incus/transport.js";
import { parseImageMap } from "../reconcilers/images.js";
import { type MadePlan, makePlan, prefetch } from "../reconcilers/plan/make-plan.js";
import type { PlanDocument } from "../reconcilers/plan/plan-document.js";
import { loadAndValidate } from "./load-estate.js";
import { changedSinceOption, gitForPlan } from "./plan-binding.js";
import { contractsForPlan } from "./plan-contracts.js";
import { generatedFileChanges } from "./plan-generated.js";
import { renderHuman, summaryLine } from "./render/diagnostics.js";
import type { CommandContext, ParsedValues } from "./spec.js";

export function toolVersion(): string {
  for (const rel of ["../../../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version: string;
      };
      if (pkg.name === "plumbline") return pkg.version;
    } catch {
      // try the next layout (dist/ or sources)
    }
  }
  return "0.0.0";
}

export interface Session {
  readonly root: string;
  readonly site: Site;
  readonly driver: IncusApiDriver;
  readonly target: string;
  close(): void;
}

/** The repository root when there is one, else the working directory (a saved plan needs none). */
export function rootOrCwd(ctx: CommandContext): string {
  try {
    return ctx.repoRoot();
  } catch {
    return ctx.globals.root ? resolve(ctx.globals.root) : ctx.cwd;
  }
}

function siteOf(ctx: CommandContext, values: ParsedValues, root: string): Site {
  return loadSite(root, ctx.env, {
    imageMap: values["image-map"] as string[] | undefined,
    bridgeAddresses: values["bridge-addresses"] as string | undefined,
  });
}

/** How the site reaches Incus: a pinned HTTPS remote, else the local unix socket. */
function incusConnection(site: Site, env: NodeJS.ProcessEnv): IncusConnection {
  const i = site.incus;
  const read = (p: string) => readFileSync(p, "utf8");
  return i?.url
    ? {
        kind: "https",
        url: i.url,
        clientCert: i.client_cert ? read(i.client_cert) : "",
        clientKey: i.client_key ? read(i.client_key) : "",
        ...(i.server_cert ? { serverCert: read(i.server_cert) } : {}),
        ...(i.server_fingerprint ? { serverFingerprint: i.server_fingerprint } : {}),
      }
    : {
        kind: "unix",
        // Like every site setting, the environment ($INCUS_SOCKET, $INCUS_DIR) overrides the file.
        ...(i?.socket && !env.INCUS_SOCKET && !env.INCUS_DIR ? { socketPath: i.socket } : {}),
      };
}

export function openSession(
  ctx: CommandContext,
  values: ParsedValues,
  root = rootOrCwd(ctx),
): Session {
  const site = siteOf(ctx, values, root);
  const driver = connectIncus(incusConnection(site, ctx.env), {}, ctx.env);
  return { root, site, driver, target: driver.target, close: () => driver.close() };
}

/** A raw Incus API client with the site's connection (exec and file push into instances). */
export function openIncusApi(
  ctx: CommandContext,
  values: ParsedValues,
  root = rootOrCwd(ctx),
): ApiClient {
  const c = incusConnection(siteOf(ctx, values, root), ctx.env);
  return new ApiClient(
    c.kind === "unix"
      ? new UnixSocketTransport(c.socketPath ?? defaultSocketPath(ctx.env))
      : new HttpsTransport(c),
  );
}

export interface LoadedForPlan {
  readonly estate: Estate;
  readonly autoCleanup: boolean;
  /** Host paths disks may mount without counting as host access. */
  readonly sharedRoots: readonly string[];
  /** Addresses that differ from addresses.lock.yml (sticky addressing). */
  readonly renumbers: readonly Renumber[];
}

/** Reads and validates the infra; prints the diagnostics and throws when it is invalid. */
export function loadEstate(ctx: CommandContext, values: ParsedValues): LoadedForPlan {
  const { loaded, result, addressLock } = loadAndValidate(ctx, {
    infra: values.infra as string | undefined,
  });
  const lineOf = (file: string, line: number) => loaded.source(file)?.lineText(line);
  if (!result.ok || result.document === undefined) {
    for (const d of result.diagnostics)
      ctx.output.err(`${renderHuman(d, lineOf, ctx.output.style)}\n`);
    ctx.output.err(summaryLine(result.diagnostics, ctx.output.style));
    throw new ValidationError(result.diagnostics);
  }
  const g = result.document.global;
  return {
    estate: buildEstate(result.document, addressLock.lock),
    autoCleanup: g?.auto_cleanup === true,
    sharedRoots: [
      g?.shared_volumes_base ?? DEFAULT_SHARED_VOLUMES_BASE,
      g?.persistent_data_base ?? DEFAULT_PERSISTENT_DATA_BASE,
    ],
    renumbers: computeAddressing(result.document, addressLock.lock).renumbers,
  };
}

export function limitOf(values: ParsedValues): string[] | undefined {
  const l = values.limit as string[] | undefined;
  return l && l.length > 0 ? l.flatMap((x) => x.split(",")).filter(Boolean) : undefined;
}

/**
 * `limit` overrides the options' (a saved plan's own limit, when apply re-derives it), and so
 * does `noTargets` (a saved plan made with --no-targets is re-derived without reading servers).
 */
export async function planFromRepo(
  ctx: CommandContext,
  values: ParsedValues,
  session: Session,
  limit?: readonly string[],
  noTargets?: boolean,
): Promise<MadePlan & { readonly estate: Estate }> {
  // Incus answers while the YAML is parsed and validated.
  const live = prefetch(session.driver);
  const { estate, autoCleanup, sharedRoots, renumbers } = loadEstate(ctx, values);
  const { map, bad } = parseImageMap(session.site.imageMapPairs);
  if (bad.length > 0)
    throw new PlumbError("PLB725", `image map entries must be from=to: ${bad.join(", ")}`);
  const bound = await gitForPlan(
    gitDriver(session.root),
    session.root,
    changedSinceOption(values),
    values.infra as string | undefined,
    new Set(estate.domains.map((d) => d.name)),
  );
  if (bound.note) ctx.output.err(ctx.output.style.dim(bound.note));
  const made = await makePlan({
    estate,
    autoCleanup,
    renumbers,
    limit: limit ?? bound.limit ?? limitOf(values),
    sharedRoots,
    files: generatedFileChanges(session.root, estate),
    settings: {
      bridgeAddresses: session.site.bridgeAddresses,
      storagePool: session.site.storagePool,
      imageMap: map,
      remotes: session.site.remotes,
      sources: session.site.sources,
    },
    driver: session.driver,
    live,
    target: session.target,
    git: bound.git,
    toolVersion: toolVersion(),
    now: new Date(),
    // The overlap check concerns this host's networks: only when Incus runs here.
    host: session.target.startsWith("unix:") ? systemHostDriver() : undefined,
    contracts: await contractsForPlan(
      session.root,
      estate,
      noTargets ?? values["no-targets"] === true,
      ctx.env,
    ),
  });
  return { ...made, estate };
}

/** Sticky addressing: a plan that moves existing addresses runs only with --allow-renumber. */
export function refuseRenumbers(plan: PlanDocument, allowed: boolean): void {
  const r = plan.renumbers ?? [];
  if (r.length === 0 || allowed) return;
  throw new PlumbError(
    "PLB630",
    `the plan renumbers ${r.length} existing address(es): ${r.map(renumberText).join("; ")}`,
    {
      hint: "revert the subnet_id/ip/trust_level change, or re-run with --allow-renumber (and record it with `plumb generate --allow-renumber`)",
    },
  );
}

export function formatOf(ctx: CommandContext, values: ParsedValues): "human" | "json" | "markdown" {
  if (ctx.globals.json) return "json";
  const f = (values.format as string | undefined) ?? "human";
  if (f !== "human" && f !== "json" && f !== "markdown")
    throw new UsageError(`unknown format ${f}`);
  return f;
}

export function intOption(values: ParsedValues, name: string, fallback: number, min = 0): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min} (got '${v}')`);
  return n;
}

/** `--lock-timeout <s>` or PLUMB_LOCK_TIMEOUT: how long to wait for a held lock (default 0). */
export function lockTimeout(ctx: CommandContext, values: ParsedValues): number {
  const v = values["lock-timeout"] ?? ctx.env.PLUMB_LOCK_TIMEOUT;
  return intOption({ "lock-timeout": v as string | undefined }, "lock-timeout", 0, 0);
}

/** The one confirmation prompt. Without a terminal it refuses with `code` (a script must say --yes). */
export async function confirm(
  _ctx: CommandContext,
  question: string,
  what: string,
  code: Code = "PLB718",
  hint = "review the plan, then re-run with --yes",
): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new PlumbError(code, `${what}, and there is no terminal to confirm`, { hint });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(`${question} Only 'yes' will be accepted: `)).trim() === "yes";
  } finally {
    rl.close();
  }
}

export function nowFrom(values: ParsedValues): Date {
  if (values.now === undefined) return new Date();
  const d = parseIsoZ(values.now);
  if (!d) throw new UsageError("--now must be like 2027-01-31T00:00:00Z");
  return d;
}

/** The repository keyring, verified as a chain from its pinned root (core/io/keyring-state.ts). */
export function openKeyring(ctx: CommandContext, values: ParsedValues) {
  const root = ctx.repoRoot();
  const now = nowFrom(values);
  return { root, now, chain: loadVerifiedKeyring(root, ctx.env, { now }) };
}

/** What sign, verify and test start from: the bundle directory, the time, the verified repo keyring. */
export function openTrust(ctx: CommandContext, values: ParsedValues, bundleArg: string) {
  const { root, now, chain } = openKeyring(ctx, values);
  return { root, dir: resolve(ctx.cwd, bundleArg), now, keyring: chain.keyring };
}
