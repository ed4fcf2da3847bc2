// `plumb import`, the writing part: labels the imported objects as owned by the new estate
// (`user.plumb.owner`, `.id`, `.hash`, and `.image` on instances), each by GET → PUT with
// If-Match over the full live object, so nothing but the labels changes. Objects of another
// estate are never taken.

import { updateWithFreshEtag } from "../drivers/incus/retry-on-stale.js";
import type { ConfigMap, IncusDriver } from "../drivers/incus/types.js";
import type { DesiredObject } from "../model.js";
import { refLabel } from "../model.js";
import { HASH_KEY, ID_KEY, IMAGE_KEY, OWNER_KEY, ownershipOf } from "../ownership.js";
import { mapLimit } from "../pool.js";

export interface AdoptResult {
  readonly adopted: readonly string[];
  readonly skipped: readonly string[];
  readonly failed: readonly string[];
}

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
  const one = async (d: DesiredObject): Promise<void> => {
    const labels = labelsOf(d);
    const label = `${d.ref.kind} ${refLabel(d.ref)}`;
    const mayTake = (config: ConfigMap) => {
      const o = ownershipOf(config, d.ref, owner);
      if (o === "unowned" || o === "owned") return true;
      skipped.push(`${label} (belongs to ${config[OWNER_KEY]})`);
      return false;
    };
    const merge = (config: ConfigMap) => ({ ...config, ...labels });
    const { project, name } = d.ref;
    const write = async (): Promise<boolean> => {
      switch (d.ref.kind) {
        case "project":
          return updateWithFreshEtag(
            () => driver.getProject(name),
            async (cur, etag) => {
              if (!mayTake(cur.config)) return false;
              await driver.updateProject(
                name,
                { description: cur.description, config: merge(cur.config) },
                etag,
              );
              return true;
            },
          );
        case "network":
          return updateWithFreshEtag(
            () => driver.getNetwork("default", name),
            async (cur, etag) => {
              if (!mayTake(cur.config)) return false;
              await driver.updateNetwork(
                "default",
                name,
                { description: cur.description, config: merge(cur.config) },
                etag,
              );
              return true;
            },
          );
        case "profile":
          return updateWithFreshEtag(
            () => driver.getProfile(project, name),
            async (cur, etag) => {
              if (!mayTake(cur.config)) return false;
              const value = {
                description: cur.description,
                config: merge(cur.config),
                devices: cur.devices,
              };
              await driver.updateProfile(project, name, value, etag);
              return true;
            },
          );
        case "instance":
          return updateWithFreshEtag(
            () => driver.getInstance(project, name),
            async (cur, etag) => {
              if (!mayTake(cur.config)) return false;
              await driver.updateInstance(
                project,
                name,
                {
                  architecture: cur.architecture,
                  config: merge(cur.config),
                  devices: cur.devices,
                  profiles: cur.profiles,
                  description: cur.description,
                  ephemeral: cur.ephemeral,
                  stateful: cur.stateful,
                },
                etag,
              );
              return true;
            },
          );
        case "instance-state":
          return false;
      }
    };
    try {
      if (await write()) adopted.push(label);
    } catch (err) {
      // Absent objects are simply not adopted: the plan will create them.
      if ((err as { code?: string }).code === "PLB703") return;
      failed.push(`${label}: ${(err as Error).message}`);
    }
  };
  // Kind by kind: a profile write updates its instances, which must not run alongside.
  for (const kinds of [["project", "network"], ["profile"], ["instance"]]) {
    await mapLimit(
      desired.filter((o) => kinds.includes(o.ref.kind)),
      concurrency,
      one,
    );
  }
  return { adopted: adopted.sort(), skipped, failed };
}
