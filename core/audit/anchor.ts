// The audit chain's head anchored outside the repository: `user.plumb.audit_head.<estate>` on
// Incus's default project (beside the apply lock), written by compare-and-swap and only forward.
// A log cut short, or rewritten from some entry on, no longer contains the anchored head.
import { readFileSync } from "node:fs";
import { PreconditionFailedError } from "../../reconcilers/drivers/incus/errors.js";
import type { ConfigMap, IncusDriver } from "../../reconcilers/drivers/incus/types.js";
import { PlumbError } from "../errors.js";
import { auditPath } from "./append.js";
import { type AuditHead, verifyAuditText } from "./verify.js";

export const ANCHOR_PROJECT = "default";
export const ANCHOR_PREFIX = "user.plumb.audit_head.";

type AnchorDriver = Pick<IncusDriver, "getProject" | "updateProject">;

export function anchorKey(estate: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(estate))
    throw new PlumbError("PLB943", `'${estate}' cannot name an audit anchor`, {
      source: "internal",
    });
  return `${ANCHOR_PREFIX}${estate}`;
}

export interface AnchoredHead extends AuditHead {
  readonly ts: string;
}

export function parseAnchor(raw: string | undefined): AnchoredHead | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as AnchoredHead;
    return Number.isSafeInteger(v.seq) && typeof v.hash === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

export async function readAnchor(
  driver: AnchorDriver,
  estate: string,
): Promise<AnchoredHead | undefined> {
  const { value } = await driver.getProject(ANCHOR_PROJECT);
  return parseAnchor(value.config[anchorKey(estate)]);
}

export function readLogText(root: string): string {
  try {
    return readFileSync(auditPath(root), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw new PlumbError("PLB944", `cannot read ${auditPath(root)}: ${(e as Error).message}`);
  }
}

/**
 * Verifies the local log against the current anchor, then moves the anchor to the log's head.
 * Refuses (PLB940/PLB942) when the log does not verify or does not contain the anchored head.
 */
export async function anchorAudit(
  driver: AnchorDriver,
  root: string,
  estate: string,
  now: () => Date = () => new Date(),
): Promise<AnchoredHead | undefined> {
  const key = anchorKey(estate);
  for (let attempt = 1; ; attempt++) {
    const { value, etag } = await driver.getProject(ANCHOR_PROJECT);
    const current = parseAnchor(value.config[key]);
    const verdict = verifyAuditText(readLogText(root), current);
    if (!verdict.ok && verdict.bad?.problem !== "torn-tail") throw verdictError(verdict.bad);
    const head = verdict.head;
    if (head === undefined || (current && current.seq === head.seq)) return current;
    const next: AnchoredHead = { ...head, ts: now().toISOString() };
    const config: ConfigMap = { ...value.config, [key]: JSON.stringify(next) };
    try {
      await driver.updateProject(ANCHOR_PROJECT, { description: value.description, config }, etag);
      return next;
    } catch (err) {
      if (!(err instanceof PreconditionFailedError) || attempt >= 8) throw err;
    }
  }
}

/**
 * Removes the estate's anchor (flush: the estate is gone from Incus). By compare-and-swap like
 * every write of the default project; true when a key was removed.
 */
export async function removeAnchor(driver: AnchorDriver, estate: string): Promise<boolean> {
  const key = anchorKey(estate);
  for (let attempt = 1; ; attempt++) {
    const { value, etag } = await driver.getProject(ANCHOR_PROJECT);
    if (!(key in value.config)) return false;
    const { [key]: _gone, ...config } = value.config;
    try {
      await driver.updateProject(ANCHOR_PROJECT, { description: value.description, config }, etag);
      return true;
    } catch (err) {
      if (!(err instanceof PreconditionFailedError) || attempt >= 8) throw err;
    }
  }
}

export function verdictError(bad: { problem: string; message: string } | undefined): PlumbError {
  const truncated = bad?.problem === "truncated" || bad?.problem === "rewritten";
  return new PlumbError(truncated ? "PLB942" : "PLB940", bad?.message ?? "audit log invalid", {
    hint: "run `plumb audit verify` for the first bad entry; restore .plumb/audit/ from a backup",
  });
}
