// `plumb import --out <dir>`: writes an infra/ directory reproducing live Incus, then (after
// confirmation) labels those objects as the new estate's, so `plumb plan` there shows no change.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { stringify } from "yaml";
import { PlumbError, UsageError } from "../../core/errors.js";
import { gitDriver, planGitFacts } from "../../core/io/git.js";
import { buildEstate } from "../../core/model/estate.js";
import { loadInfra } from "../../core/source/infra-source.js";
import { buildDesired } from "../../reconcilers/desired.js";
import type { Instance, Profile } from "../../reconcilers/drivers/incus/types.js";
import { adopt } from "../../reconcilers/import/adopt.js";
import { importEstate } from "../../reconcilers/import/import.js";
import { isActionable } from "../../reconcilers/model.js";
import { makePlan } from "../../reconcilers/plan/make-plan.js";
import { mapLimitOrThrow } from "../../reconcilers/pool.js";
import { validateInfra } from "../../validators/validate.js";
import { renderHuman } from "../render/diagnostics.js";
import { changeLines } from "../render/plan-human.js";
import { confirm, openSession, toolVersion } from "../session.js";
import type { CommandModule } from "../spec.js";

const HEADER = "# yaml-language-server: $schema=../validators/infra-base.schema.json\n";
const DOMAIN_HEADER = "# yaml-language-server: $schema=../../validators/infra-domain.schema.json\n";

export const run: CommandModule["run"] = async (ctx, values) => {
  const out = ctx.output;
  const s = out.style;
  const dryRun = values["dry-run"] === true;
  const outDir = typeof values.out === "string" ? resolve(ctx.cwd, values.out) : undefined;
  if (!dryRun && outDir === undefined)
    throw new UsageError("--out <dir> is required (or --dry-run)");
  if (outDir && existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new UsageError(`${values.out} exists and is not empty; import writes a new estate`);
  }
  const name = typeof values.name === "string" ? values.name : "imported";
  const session = openSession(ctx, values);
  try {
    const d = session.driver;
    const projects = await d.listProjects();
    const wanted = (values.project as string[] | undefined) ?? projects.map((p) => p.name);
    const names = projects.map((p) => p.name).filter((p) => p !== "default" && wanted.includes(p));
    const lists = await mapLimitOrThrow(
      names,
      4,
      async (p) => [await d.listProfiles(p), await d.listInstances(p)] as const,
    );
    const imported = importEstate(
      {
        projects,
        networks: await d.listNetworks("default"),
        profiles: new Map(names.map((p, i) => [p, lists[i]?.[0] as Profile[]])),
        instances: new Map(names.map((p, i) => [p, lists[i]?.[1] as Instance[]])),
        aliases: await d.listImageAliases(),
      },
      {
        name,
        projects: values.project as string[] | undefined,
        storagePool: session.site.storagePool,
      },
    );
    const doc = imported.document;
    const files: Record<string, string> = {
      "infra/base.yml": `${HEADER}# Imported by \`plumb import\` from ${session.target}.\n${stringify({ project_name: doc.project_name, global: doc.global })}`,
    };
    for (const [domain, body] of Object.entries(doc.domains ?? {})) {
      files[`infra/domains/${domain}.yml`] = `${DOMAIN_HEADER}${stringify({ [domain]: body })}`;
    }
    if (imported.bridgeAddresses === "none") {
      files[".plumb/site.yml"] =
        "# The imported bridges have no addresses: plan them that way.\nbridge_addresses: none\n";
    }
    for (const w of imported.warnings) out.err(s.yellow(`warning[PLB724]: ${w}`));
    const loaded = loadInfra({
      mode: "dir",
      dir: "infra",
      base: { path: "infra/base.yml", content: files["infra/base.yml"] as string },
      domains: Object.keys(files)
        .filter((f) => f.startsWith("infra/domains/"))
        .map((f) => ({ path: f, content: files[f] as string })),
      policies: undefined,
    });
    const result = validateInfra(loaded, {});
    if (!result.ok || result.document === undefined) {
      for (const diag of result.diagnostics)
        out.err(renderHuman(diag, (f, l) => loaded.source(f)?.lineText(l), s));
      throw new PlumbError(
        "PLB724",
        "the imported estate does not validate (see above); nothing was written",
      );
    }
    if (dryRun || outDir === undefined) {
      for (const [f, text] of Object.entries(files)) out.out(`--- ${f}\n${text}`);
      return 0;
    }
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(dirname(join(outDir, f)), { recursive: true });
      writeFileSync(join(outDir, f), text);
    }
    const estate = buildEstate(result.document);
    const domains = Object.keys(doc.domains ?? {}).length;
    out.err(
      `Wrote ${values.out}/infra (${domains} domain(s), ${estate.machines.length} machine(s)).`,
    );
    const desired = buildDesired(estate, {
      owner: name,
      bridgeAddresses: imported.bridgeAddresses,
      storagePool: session.site.storagePool,
      vmSupported: true,
      resolveImage: () => ({ ok: true, source: { type: "none" } }),
    });
    if (values.yes !== true) {
      const ok = await confirm(
        ctx,
        `Label these ${desired.objects.length} Incus objects as owned by estate '${name}'?`,
        "import labels live objects",
      );
      if (!ok) {
        out.err(
          "Nothing labelled: plan in that directory will report conflicts until you import with --yes.",
        );
        return 1;
      }
    }
    const r = await adopt(d, desired.objects, name);
    out.err(`Took over ${r.adopted.length} object(s).`);
    for (const x of r.skipped) out.err(s.yellow(`not taken: ${x}`));
    for (const x of r.failed) out.err(s.red(`✗ ${x}`));
    // The round trip: planning the imported estate must find nothing to do.
    const { plan } = await makePlan({
      estate,
      autoCleanup: false,
      settings: {
        bridgeAddresses: imported.bridgeAddresses,
        storagePool: session.site.storagePool,
        imageMap: {},
        remotes: session.site.remotes,
      },
      driver: d,
      target: session.target,
      git: await planGitFacts(gitDriver(outDir)),
      toolVersion: toolVersion(),
      now: new Date(),
    });
    const left = plan.changes.filter(isActionable);
    if (left.length === 0) out.err(s.green(`plumb plan --root ${values.out} shows no changes.`));
    else {
      out.err(
        s.yellow(
          `plumb plan --root ${values.out} still finds ${left.length} change(s) the format cannot avoid:`,
        ),
      );
      for (const c of left) for (const l of changeLines(c, s)) out.err(l);
    }
    return r.failed.length > 0 ? 1 : 0;
  } finally {
    session.close();
  }
};
