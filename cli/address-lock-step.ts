// `plumb generate`'s part of sticky addressing: what addresses.lock.yml must hold for this
// estate, whether the committed file differs (a --check failure), and the refusal to record a
// renumber without --allow-renumber. docs/generator.md "Sticky addressing".
import { relative } from "node:path";
import { PlumbError } from "../core/errors.js";
import type { LockFile } from "../core/io/address-lock-file.js";
import { writeFileAtomic } from "../core/io/atomic-write.js";
import { computeAddressing, type Renumber } from "../core/model/addressing.js";
import { lockOf, renderAddressLock, renumberText } from "../core/model/addressing-lock.js";

export interface LockStep {
  /** Path as shown to the user. */
  readonly show: string;
  readonly changed: boolean;
  readonly renumbers: readonly Renumber[];
  /** Added and removed entries, for the one-line report. */
  readonly added: number;
  readonly removed: number;
  write(): Promise<void>;
}

export function addressLockStep(root: string, file: LockFile, document: unknown): LockStep {
  const addressing = computeAddressing(document, file.lock);
  const next = lockOf(addressing);
  const text = renderAddressLock(next);
  const before = new Set([
    ...Object.keys(file.lock.domains).map((k) => `d:${k}`),
    ...Object.keys(file.lock.machines).map((k) => `m:${k}`),
  ]);
  const after = new Set([
    ...Object.keys(next.domains).map((k) => `d:${k}`),
    ...Object.keys(next.machines).map((k) => `m:${k}`),
  ]);
  return {
    show: relative(root, file.path) || file.path,
    changed: text !== file.text,
    renumbers: addressing.renumbers,
    added: [...after].filter((k) => !before.has(k)).length,
    removed: [...before].filter((k) => !after.has(k)).length,
    write: () => writeFileAtomic(file.path, text),
  };
}

/** Recording a renumber is deliberate: without --allow-renumber nothing is written. */
export function refuseUnrecordedRenumbers(step: LockStep, allowed: boolean): void {
  if (step.renumbers.length === 0 || allowed) return;
  throw new PlumbError(
    "PLB630",
    `${step.show} records other addresses for ${step.renumbers.length} existing object(s): ${step.renumbers.map(renumberText).join("; ")}; nothing written`,
    {
      hint: "revert the subnet_id/ip/trust_level change, or record the renumber with `plumb generate --allow-renumber`",
    },
  );
}
