// Test kit: an Estate from YAML text, its desired objects with test settings (address-less
// bridges, the busybox image), and plans computed against an in-memory Incus.
import { buildEstate, type Estate } from "../../core/model/estate.js";
import { loadInfra } from "../../core/source/infra-source.js";
import { validateInfra } from "../../validators/validate.js";
import { buildDesired, type DesiredOptions, type DesiredState } from "../desired.js";
import { type Change, isActionable } from "../model.js";
import { computeChanges, type PlanScope, scopeOf } from "../plan/planner.js";
import { applyToMemory, type MemoryIncus, observeMemory } from "./memory-incus.js";

export function estateFromYaml(text: string): Estate {
  const result = validateInfra(
    loadInfra({ mode: "file", file: { path: "infra.yml", content: text } }),
    {},
  );
  if (!result.ok || result.document === undefined) {
    throw new Error(
      `test estate is invalid: ${result.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`,
    );
  }
  return buildEstate(result.document);
}

export function desiredFor(estate: Estate, o: Partial<DesiredOptions> = {}): DesiredState {
  return buildDesired(estate, {
    owner: estate.projectName,
    bridgeAddresses: "none",
    storagePool: "default",
    vmSupported: false,
    resolveImage: () => ({ ok: true, source: { type: "image", alias: "plumb-busybox" } }),
    ...o,
  });
}

export interface MemoryPlanOptions {
  readonly autoCleanup?: boolean;
  readonly limit?: readonly string[];
  readonly desired?: Partial<DesiredOptions>;
}

export function planMemory(
  m: MemoryIncus,
  estate: Estate,
  o: MemoryPlanOptions = {},
): { changes: Change[]; scope: PlanScope } {
  const desired = desiredFor(estate, { ...o.desired, ...(o.limit ? { limit: o.limit } : {}) });
  const scope = scopeOf(desired, estate.projectName, o.limit !== undefined);
  const changes = computeChanges({
    desired: desired.objects,
    observed: observeMemory(m, estate.projectName),
    scope,
    autoCleanup: o.autoCleanup ?? false,
  });
  return { changes, scope };
}

/** Applies the actionable changes in plan order (what the engine does when nothing fails). */
export function applyMemory(m: MemoryIncus, changes: readonly Change[]): void {
  for (const c of changes)
    if (isActionable(c) && !("unsupported" in c && c.unsupported)) applyToMemory(m, c);
}

export const actionable = (changes: readonly Change[]) => changes.filter(isActionable);
