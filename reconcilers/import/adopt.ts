// `plumb import`, the writing part: labels the imported objects as owned by the new estate
// (`user.plumb.owner`, `.id`, `.hash`, and `.image` on instances). Each kind writes its own
// objects (its `adopt`, a GET → PUT with If-Match over the full live object, so nothing but the
// labels changes). Objects of another estate are never taken.

import type { ConfigMap, IncusDriver } from "../drivers/incus/types.js";
import { HASH_KEY, ID_KEY, IMAGE_KEY, OWNER_KEY, ownershipOf } from "../kit/ownership.js";
import type { DesiredObject, Kind } from "../model.js";
import { refLabel } from "../model.js";
import { mapLimit } from "../pool.js";
import type { AdoptContext } from "../reconciler.js";
import { KINDS, RECONCILERS } from "../registry.js";

export interface AdoptResult {
  readonly adopted: readonly string[];
  readonly skipped: readonly string[];
  readonly failed: readonly string[];
}

type AnyAdopt = (d: DesiredObject, driver: IncusDriver, ctx: AdoptContext) => Promise<boolean>;

function labelsOf(d: DesiredObject): ConfigMap {
  const config = (d.spec as { config?: ConfigMap }).config ?? {};
  const out: Record<string, string> = {};
  for (const k of [OWNER_KEY, ID_KEY, HASH_KEY, IMAGE_KEY])
    if (config[k] !== undefined) out[k] = config[k] as string;
  return out;
}

/** Writes the labels of `desired` onto the live objects that exist; the ones it labelled. */
export async function adopt(
  driver: IncusDriver,
  desired: readonly DesiredObject[],
  owner: string,
  concurrency = 4,
): Promise<AdoptResult> {
  const adopted: string[] = [];
  const skipped: string[] = [];
  const failed: string[] = [];
  const one = async (d: DesiredObject, write: AnyAdopt): Promise<void> => {
    const label = `${d.ref.kind} ${refLabel(d.ref)}`;
    const ctx: AdoptContext = {
      labels: labelsOf(d),
      mayTake: (config) => {
        const o = ownershipOf(config, d.ref, owner);
        if (o === "unowned" || o === "owned") return true;
        skipped.push(`${label} (belongs to ${config[OWNER_KEY]})`);
        return false;
      },
    };
    try {
      if (await write(d, driver, ctx)) adopted.push(label);
    } catch (err) {
      // Absent objects are simply not adopted: the plan will create them.
      if ((err as { code?: string }).code === "PLB703") return;
      failed.push(`${label}: ${(err as Error).message}`);
    }
  };
  // Kind by kind, in registry order: a profile write updates its instances, which must not run
  // alongside.
  for (const kind of KINDS as readonly Kind[]) {
    const write = (RECONCILERS[kind] as { adopt?: AnyAdopt }).adopt;
    if (write === undefined) continue;
    await mapLimit(
      desired.filter((o) => o.ref.kind === kind),
      concurrency,
      (d) => one(d, write),
    );
  }
  return { adopted: adopted.sort(), skipped, failed };
}
