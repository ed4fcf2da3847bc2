// `plumb plan` without the CLI: Estate + site settings + an Incus driver → a sealed PlanDocument.
// The effects (Incus, the host's networks) come in through injected drivers.
import { assessRisk } from "../../core/approvals/risk.js";
import { UsageError } from "../../core/errors.js";
import type { PlanGit } from "../../core/io/git.js";
import type { Renumber } from "../../core/model/addressing.js";
import {
  DEFAULT_PERSISTENT_DATA_BASE,
  DEFAULT_SHARED_VOLUMES_BASE,
  type Estate,
} from "../../core/model/estate.js";
import { holdSecrets, redactSecrets } from "../../core/redact/plan-secrets.js";
import { type BridgeAddresses, buildDesired, type DesiredState } from "../desired.js";
import type { HostDriver } from "../drivers/host/host-networks.js";
import type { IncusDriver } from "../drivers/incus/types.js";
import { checkHostOverlap } from "../host-overlap.js";
import { type ImageRemote, resolveImage } from "../images.js";
import { CachedLiveView } from "../live-view.js";
import { refId } from "../model.js";
import { type ContractTemplateSet, planContracts, type ServerStateReader } from "./contracts.js";
import { type PlanDocument, sealPlan } from "./plan-document.js";
import type { PlanFileChange } from "./plan-files.js";
import { assertImagesResolve, assertLocalImagesExist } from "./plan-images.js";
import { computeChanges, type Observation, observe, observedRecords, scopeOf } from "./planner.js";
import { unmanagedInOwnedProjects } from "./unmanaged.js";

export interface SiteSettings {
  readonly bridgeAddresses: BridgeAddresses;
  readonly storagePool: string;
  readonly imageMap: Readonly<Record<string, string>>;
  readonly remotes: Readonly<Record<string, ImageRemote>>;
  /** Where these settings came from (site file, environment variables, flags). */
  readonly sources?: readonly string[];
}

export interface MakePlanInput {
  readonly estate: Estate;
  readonly autoCleanup: boolean;
  /** Addresses differing from the estate's addresses.lock.yml (core/model/addressing.ts). */
  readonly renumbers?: readonly Renumber[] | undefined;
  /** Generated files that differ from what `plumb generate` would write (see plan-files.ts). */
  readonly files?: readonly PlanFileChange[] | undefined;
  readonly limit?: readonly string[] | undefined;
  readonly settings: SiteSettings;
  readonly driver: IncusDriver;
  /** Where the driver points, recorded in the plan (`unix:/var/lib/incus/unix.socket`). */
  readonly target: string;
  readonly git: PlanGit;
  /** Host paths disks may use without counting as host access (shared volumes, persistent data). */
  readonly sharedRoots?: readonly string[] | undefined;
  readonly toolVersion: string;
  readonly now: Date;
  /** Listings already started (see `prefetch`); else they start here. */
  readonly live?: CachedLiveView | undefined;
  /** The host's networks, for the overlap check (omitted: not checked, e.g. a remote Incus). */
  readonly host?: HostDriver | undefined;
  /** Declared contracts: the loaded templates and how servers are read (reconcilers/plan/contracts.ts). */
  readonly contracts?:
    | {
        readonly templates: ContractTemplateSet;
        readonly readServer?: ServerStateReader | undefined;
      }
    | undefined;
}

export interface MadePlan {
  readonly plan: PlanDocument;
  readonly desired: DesiredState;
  readonly observation: Observation;
}

/**
 * Starts the reads every plan needs whatever the estate (server, projects, networks), so they
 * run while the caller parses and validates the YAML.
 */
export function prefetch(driver: IncusDriver): CachedLiveView {
  const live = new CachedLiveView(driver);
  for (const p of [live.server(), live.projects(), live.networks()]) p.catch(() => undefined);
  return live;
}

export async function makePlan(input: MakePlanInput): Promise<MadePlan> {
  const { estate, settings, driver } = input;
  const owner = estate.projectName;
  if (input.limit) {
    const known = new Set(estate.domains.map((d) => d.name));
    const unknown = input.limit.filter((l) => !known.has(l));
    if (unknown.length > 0) {
      throw new UsageError(
        `--limit: no domain named ${unknown.join(", ")}`,
        `domains: ${[...known].join(", ")}`,
      );
    }
  }
  const live = input.live ?? prefetch(driver);
  const server = await live.server();
  const vmSupported = /qemu/.test(String(server.environment?.driver ?? ""));
  const desired = buildDesired(estate, {
    owner,
    bridgeAddresses: settings.bridgeAddresses,
    storagePool: settings.storagePool,
    limit: input.limit,
    vmSupported,
    resolveImage: (image) => resolveImage(image, settings.imageMap, settings.remotes),
  });
  const scope = scopeOf(desired, owner, input.limit !== undefined);
  const observation = await observe(driver, scope, [], live);
  if (input.host && settings.bridgeAddresses === "declared") {
    const incusNetworks = new Set(
      observation.observed.filter((o) => o.ref.kind === "network").map((o) => o.ref.name),
    );
    checkHostOverlap(desired.objects, await input.host.networks(), incusNetworks);
  }
  const changes = computeChanges({
    desired: desired.objects,
    observed: observation.observed,
    scope,
    autoCleanup: input.autoCleanup,
  });
  const unmanaged = unmanagedInOwnedProjects(
    observation.observed,
    new Set(desired.objects.map((o) => refId(o.ref))),
  );
  assertImagesResolve(changes, desired);
  await assertLocalImagesExist(changes, driver);
  const contracts = input.contracts
    ? await planContracts({
        estate,
        limit: input.limit,
        templates: input.contracts.templates,
        readServer: input.contracts.readServer,
        // The listing the plan already holds: no extra Incus call.
        instanceConfig: async (project, name) =>
          (await live.instances(project)).find((i) => i.name === name)?.config,
      })
    : [];
  // Sensitive config values (environment.*PASSWORD…) enter the plan as digests; the values stay
  // beside this plan object for apply (core/redact/plan-secrets.ts).
  const { value: shown, secrets } = redactSecrets(changes);
  const plan = sealPlan({
    createdAt: input.now.toISOString(),
    tool: { name: "plumb", version: input.toolVersion },
    owner,
    target: input.target,
    git: input.git,
    limit: input.limit ? [...input.limit] : null,
    projects: observation.projects,
    settings: {
      endpoint: input.target,
      sources: [...(settings.sources ?? [])],
      bridgeAddresses: settings.bridgeAddresses,
      storagePool: settings.storagePool,
      imageMap: settings.imageMap,
      autoCleanup: input.autoCleanup,
    },
    host: { vmSupported, serverVersion: String(server.environment?.server_version ?? "") },
    observed: observedRecords(desired.objects, observation.observed, changes, scope),
    changes: shown,
    files: input.files ?? [],
    contracts,
    risk: assessRisk(changes, observation.observed, {
      sharedRoots: input.sharedRoots ?? [DEFAULT_SHARED_VOLUMES_BASE, DEFAULT_PERSISTENT_DATA_BASE],
      trustOf: (project) => estate.domains.find((d) => d.project === project)?.trustLevel,
    }),
    ...(input.renumbers?.length ? { renumbers: [...input.renumbers] } : {}),
    ...(unmanaged.length ? { unmanaged } : {}),
  });
  return { plan: holdSecrets(plan, secrets), desired, observation };
}
