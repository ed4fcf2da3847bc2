// `plumb plan`: the declared estate vs live Incus → an ordered plan (human, JSON, markdown),
// optionally saved with --out for a later `plumb apply plan.json`. Also the shared session
// code of the reconcile commands (apply, import, flush, snapshot, unlock).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { PlumbError, UsageError, ValidationError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/io/atomic-write.js";
import { gitDriver } from "../../core/io/git.js";
import { loadSite, type Site } from "../../core/io/site-config.js";
import { buildEstate, type Estate } from "../../core/model/estate.js";
import { systemHostDriver } from "../../reconcilers/drivers/host/host-networks.js";
import { connectIncus } from "../../reconcilers/drivers/incus/connect.js";
import type { IncusApiDriver } from "../../reconcilers/drivers/incus/incus-api-driver.js";
import { parseImageMap } from "../../reconcilers/images.js";
import { type MadePlan, makePlan, prefetch } from "../../reconcilers/plan/make-plan.js";
import { serializePlan } from "../../reconcilers/plan/plan-document.js";
import { loadAndValidate } from "../load-estate.js";
import { renderHuman, summaryLine } from "../render/diagnostics.js";
import { renderPlanHuman } from "../render/plan-human.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import type { CommandContext, CommandModule, ParsedValues } from "../spec.js";

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

export function openSession(
  ctx: CommandContext,
  values: ParsedValues,
  root = rootOrCwd(ctx),
): Session {
  const site = loadSite(root, ctx.env, {
    imageMap: values["image-map"] as string[] | undefined,
    bridgeAddresses: values["bridge-addresses"] as string | undefined,
  });
  const i = site.incus;
  const read = (p: string) => readFileSync(p, "utf8");
  const driver = i?.url
    ? connectIncus({
        kind: "https",
        url: i.url,
        clientCert: i.client_cert ? read(i.client_cert) : "",
        clientKey: i.client_key ? read(i.client_key) : "",
        ...(i.server_cert ? { serverCert: read(i.server_cert) } : {}),
        ...(i.server_fingerprint ? { serverFingerprint: i.server_fingerprint } : {}),
      })
    : connectIncus({ kind: "unix", ...(i?.socket ? { socketPath: i.socket } : {}) }, {}, ctx.env);
  return { root, site, driver, target: driver.target, close: () => driver.close() };
}

export interface LoadedForPlan {
  readonly estate: Estate;
  readonly autoCleanup: boolean;
}

/** Reads and validates the infra; prints the diagnostics and throws when it is invalid. */
export function loadEstate(ctx: CommandContext, values: ParsedValues): LoadedForPlan {
  const { loaded, result } = loadAndValidate(ctx, { infra: values.infra as string | undefined });
  const lineOf = (file: string, line: number) => loaded.source(file)?.lineText(line);
  if (!result.ok || result.document === undefined) {
    for (const d of result.diagnostics)
      ctx.output.err(`${renderHuman(d, lineOf, ctx.output.style)}\n`);
    ctx.output.err(summaryLine(result.diagnostics, ctx.output.style));
    throw new ValidationError(result.diagnostics);
  }
  return {
    estate: buildEstate(result.document),
    autoCleanup: result.document.global?.auto_cleanup === true,
  };
}

export function limitOf(values: ParsedValues): string[] | undefined {
  const l = values.limit as string[] | undefined;
  return l && l.length > 0 ? l.flatMap((x) => x.split(",")).filter(Boolean) : undefined;
}

export async function planFromRepo(
  ctx: CommandContext,
  values: ParsedValues,
  session: Session,
): Promise<MadePlan> {
  // Incus answers while the YAML is parsed and validated.
  const live = prefetch(session.driver);
  const { estate, autoCleanup } = loadEstate(ctx, values);
  const { map, bad } = parseImageMap(session.site.imageMapPairs);
  if (bad.length > 0)
    throw new PlumbError("PLB725", `image map entries must be from=to: ${bad.join(", ")}`);
  return makePlan({
    estate,
    autoCleanup,
    limit: limitOf(values),
    settings: {
      bridgeAddresses: session.site.bridgeAddresses,
      storagePool: session.site.storagePool,
      imageMap: map,
      remotes: session.site.remotes,
    },
    driver: session.driver,
    live,
    target: session.target,
    gitHead: gitDriver(session.root).headCommit(),
    toolVersion: toolVersion(),
    now: new Date(),
    // The overlap check concerns this host's networks: only when Incus runs here.
    host: session.target.startsWith("unix:") ? systemHostDriver() : undefined,
  });
}

export function formatOf(ctx: CommandContext, values: ParsedValues): "human" | "json" | "markdown" {
  if (ctx.globals.json) return "json";
  const f = (values.format as string | undefined) ?? "human";
  if (f !== "human" && f !== "json" && f !== "markdown")
    throw new UsageError(`unknown format ${f}`);
  return f;
}

export const run: CommandModule["run"] = async (ctx, values) => {
  const format = formatOf(ctx, values);
  const session = openSession(ctx, values);
  try {
    const { plan } = await planFromRepo(ctx, values, session);
    if (typeof values.out === "string") {
      await writeFileAtomic(resolve(ctx.cwd, values.out), serializePlan(plan));
    }
    if (format === "json") ctx.output.writeJson(plan);
    else if (format === "markdown") ctx.output.out(renderPlanMarkdown(plan));
    else for (const line of renderPlanHuman(plan, ctx.output.style)) ctx.output.out(line);
    if (typeof values.out === "string" && format === "human") {
      ctx.output.err(
        ctx.output.style.dim(
          `Saved the plan to ${values.out} (digest ${plan.digest.slice(0, 19)}…); apply it with \`plumb apply ${values.out}\`.`,
        ),
      );
    }
    if (plan.summary.conflict > 0) {
      throw new PlumbError(
        "PLB726",
        `${plan.summary.conflict} declared object(s) collide with Incus objects plumb does not own`,
        {
          hint: "see the `!` entries of the plan: rename, remove, or `plumb import` them",
        },
      );
    }
    if (values["detailed-exitcode"] === true && plan.summary.actionable > 0) return 2;
    return 0;
  } finally {
    session.close();
  }
};
