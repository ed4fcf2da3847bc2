// Test kit: an Estate from YAML text, its desired objects with test settings (address-less
// bridges, the busybox image), and plans computed and applied against an in-memory Incus.
import { buildEstate, type Estate } from "../../core/model/estate.js";
import { loadInfra } from "../../core/source/infra-source.js";
import { validateInfra } from "../../validators/validate.js";
import { applyChanges } from "../apply/engine.js";
import { buildDesired, type DesiredOptions, type DesiredState } from "../desired.js";
import { type Change, isActionable } from "../model.js";
import { computeChanges, type PlanScope, scopeOf } from "../plan/planner.js";
import { type MemoryIncus, observeMemory } from "./memory-incus.js";

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

export async function planMemory(
  m: MemoryIncus,
  estate: Estate,
  o: MemoryPlanOptions = {},
): Promise<{ changes: Change[]; scope: PlanScope }> {
  const desired = desiredFor(estate, { ...o.desired, ...(o.limit ? { limit: o.limit } : {}) });
  const scope = scopeOf(desired, estate.projectName, o.limit !== undefined);
  const changes = computeChanges({
    desired: desired.objects,
    observed: await observeMemory(m, estate.projectName),
    scope,
    autoCleanup: o.autoCleanup ?? false,
  });
  return { changes, scope };
}

/**
 * Applies the changes through the apply engine and the reconcilers (restarts allowed, one at a
 * time so runs are reproducible); throws when a change fails.
 */
export async function applyMemory(
  m: MemoryIncus,
  changes: readonly Change[],
  o: { readonly owner?: string; readonly vmSupported?: boolean } = {},
): Promise<void> {
  const report = await applyChanges(changes, m.driver, {
    concurrency: 1,
    ctx: {
      owner: o.owner ?? "lab",
      allowRestart: true,
      vmSupported: o.vmSupported ?? false,
      stopTimeout: 1,
    },
  });
  const failed = report.results.filter((r) => r.status === "failed");
  if (failed.length > 0) {
    const what = failed.map((f) => `${f.id}: ${f.error?.message}`).join("; ");
    throw new Error(`memory apply failed: ${what}`);
  }
}

export const actionable = (changes: readonly Change[]) => changes.filter(isActionable);
