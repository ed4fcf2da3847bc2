// Seed 004 §7 step 3: the desired Incus objects, built from the resolved Estate (the same model
// the Ansible generator renders). Which domains are in scope is decided here; what each kind
// declares for them is the kind's own `desired` (reconcilers/kinds/<kind>/desired.ts). Pure.
import {
  type Estate,
  type EstateDomain,
  type EstateMachine,
  isInstanceMachine,
} from "../core/model/estate.js";
import type { InstanceSource } from "./drivers/incus/types.js";
import type { DesiredObject, Kind } from "./model.js";
import { KINDS, RECONCILERS } from "./registry.js";

/** How bridges get addresses: the declared subnets, or none at all (tests, address-less sites). */
export type BridgeAddresses = "declared" | "none";

/** The image a machine is created from, after the site's image map; or why it cannot be. */
export type ImageResolution =
  | { readonly ok: true; readonly source: InstanceSource }
  | { readonly ok: false; readonly reason: string };

export interface DesiredOptions {
  readonly owner: string;
  readonly bridgeAddresses: BridgeAddresses;
  readonly storagePool: string;
  /** Domains to plan (`--limit`); undefined = all. */
  readonly limit?: readonly string[] | undefined;
  readonly vmSupported: boolean;
  resolveImage(declared: string): ImageResolution;
}

/** What each kind's `desired` gets: the enabled domains in scope and their machines. */
export interface DesiredInput {
  readonly estate: Estate;
  readonly domains: readonly EstateDomain[];
  machinesOf(domain: string): readonly EstateMachine[];
  readonly options: DesiredOptions;
  /** Images that could not be resolved, by machine (filled by the instance kind). */
  readonly imageProblems: Map<string, string>;
}

export interface DesiredState {
  readonly objects: readonly DesiredObject[];
  /** Images that could not be resolved, by machine (an error only if one must be created). */
  readonly imageProblems: ReadonlyMap<string, string>;
  /** Projects and networks of domains in scope (declared or not enabled). */
  readonly scope: {
    readonly projects: ReadonlySet<string>;
    readonly networks: ReadonlySet<string>;
  };
  /** Projects and networks of disabled domains: never changed, never orphans. */
  readonly disabled: {
    readonly projects: ReadonlySet<string>;
    readonly networks: ReadonlySet<string>;
  };
}

type AnyDesired = { desired(input: DesiredInput): DesiredObject[] };

export function buildDesired(estate: Estate, o: DesiredOptions): DesiredState {
  const imageProblems = new Map<string, string>();
  const scope = { projects: new Set<string>(), networks: new Set<string>() };
  const disabled = { projects: new Set<string>(), networks: new Set<string>() };
  const machines = new Map<string, EstateMachine[]>();
  // A `type: server` machine is no Incus object: no kind's desired ever sees it.
  for (const m of estate.machines.filter(isInstanceMachine))
    machines.set(m.domain, [...(machines.get(m.domain) ?? []), m]);
  const domains: EstateDomain[] = [];
  for (const d of estate.domains) {
    if (o.limit && !o.limit.includes(d.name)) continue;
    scope.projects.add(d.project);
    scope.networks.add(d.network);
    if (!d.enabled) {
      disabled.projects.add(d.project);
      disabled.networks.add(d.network);
      continue;
    }
    domains.push(d);
  }
  const input: DesiredInput = {
    estate,
    domains,
    machinesOf: (name) => machines.get(name) ?? [],
    options: o,
    imageProblems,
  };
  const objects: DesiredObject[] = [];
  for (const kind of KINDS as readonly Kind[])
    objects.push(...(RECONCILERS[kind] as unknown as AnyDesired).desired(input));
  return { objects, imageProblems, scope, disabled };
}
