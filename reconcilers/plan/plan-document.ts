// The Plan: the versioned, serializable document between `plumb plan` and `plumb apply`.
// Everything apply needs is inside (the full desired view of every target, image sources), plus
// what staleness checks compare: the observed hash of every object read, the Incus target, the
// git head, and a digest over the whole document.
import type { PlanApproval } from "../../core/approvals/approvals.js";
import type { PlanRisk } from "../../core/approvals/risk.js";
import { PlumbError } from "../../core/errors.js";
import type { PlanGit } from "../../core/io/git.js";
import type { Renumber } from "../../core/model/addressing.js";
import { digestOf } from "../kit/ownership.js";
import { ACTIONS, type Action, type Change, isActionable } from "../model.js";
import type { ContractChange } from "./contract-change.js";
import type { PlanFileChange } from "./plan-files.js";

export const PLAN_FORMAT = "plumb-plan";
export const PLAN_VERSION = 1;

export interface ObservedRecord {
  /** `instance:web/web-1` */
  readonly id: string;
  /** Hash of the managed view when read; null when the object did not exist. */
  readonly hash: string | null;
}

export interface PlanSettings {
  /** The Incus endpoint the plan read (same as `target`), shown in every plan header. */
  readonly endpoint?: string;
  /** Where the site settings came from (`.plumb/site.yml`, `PLUMB_IMAGE_MAP`, flags); empty: defaults. */
  readonly sources?: readonly string[];
  readonly bridgeAddresses: "declared" | "none";
  readonly storagePool: string;
  readonly imageMap: Readonly<Record<string, string>>;
  readonly autoCleanup: boolean;
}

export type PlanSummary = { readonly [A in Action]: number } & {
  /** Changes apply would perform (everything but orphans and conflicts). */
  readonly actionable: number;
  /** Generated files `plumb generate` would create, update, or reports (conflicts, orphans). */
  readonly files: number;
  /** Contract runs (contract changes with action "run"). */
  readonly contracts: number;
};

export interface PlanDocument {
  readonly format: typeof PLAN_FORMAT;
  readonly version: typeof PLAN_VERSION;
  readonly createdAt: string;
  readonly tool: { readonly name: "plumb"; readonly version: string };
  /** The estate's project_name: owner of every object plumb touches. */
  readonly owner: string;
  /** Where Incus was reached (`unix:/var/lib/incus/unix.socket`, `https://host:8443`). */
  readonly target: string;
  /** The commit the plan was made from, and whether infra/ and templates/ matched it. */
  readonly git: PlanGit;
  /** `--limit` domains, or null for the whole estate. */
  readonly limit: readonly string[] | null;
  /** Incus projects the plan read profiles and instances from (re-read by a stale check). */
  readonly projects: readonly string[];
  readonly settings: PlanSettings;
  readonly host: { readonly vmSupported: boolean; readonly serverVersion: string };
  readonly observed: readonly ObservedRecord[];
  /** In apply order (waves); orphans and conflicts last. */
  readonly changes: readonly Change[];
  /** Generated Ansible files that differ from what `plumb generate` would write (by path). */
  readonly files: readonly PlanFileChange[];
  /** Every declared contract in scope: run (new or changed hash) or none (docs/contracts.md). */
  readonly contracts: readonly ContractChange[];
  /** Addresses differing from addresses.lock.yml; apply refuses them without --allow-renumber. */
  readonly renumbers?: readonly Renumber[];
  /** Instances inside the estate's projects that plumb does not manage (`instance:web/x`): left alone. */
  readonly unmanaged?: readonly string[];
  readonly summary: PlanSummary;
  /** What needs approvals: deletes, replaces, restarts, delete-protected, host access. */
  readonly risk: PlanRisk;
  /** `sha256:` of the canonical JSON of every other field but `approvals`. */
  readonly digest: string;
  /** Signatures over `digest` by approvers (`plumb approve`); outside the digest they sign. */
  readonly approvals?: readonly PlanApproval[];
}

export type PlanBody = Omit<
  PlanDocument,
  "digest" | "summary" | "format" | "version" | "approvals" | "files" | "contracts"
> & {
  readonly files?: readonly PlanFileChange[];
  readonly contracts?: readonly ContractChange[];
};

/** Fields outside the digest: added after the plan was sealed. */
const UNSEALED = ["digest", "approvals"] as const;

export function summarize(
  changes: readonly Change[],
  files: readonly PlanFileChange[] = [],
  contracts: readonly ContractChange[] = [],
): PlanSummary {
  const counts = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>;
  for (const c of changes) counts[c.action]++;
  return {
    ...counts,
    actionable: changes.filter(isActionable).length,
    files: files.length,
    contracts: contracts.filter((c) => c.action === "run").length,
  };
}

export function sealPlan(body: PlanBody): PlanDocument {
  // Through JSON first: the digest must be of exactly what a reader of the file will see.
  const unsealed = JSON.parse(
    JSON.stringify({
      format: PLAN_FORMAT,
      version: PLAN_VERSION,
      ...body,
      files: body.files ?? [],
      contracts: body.contracts ?? [],
      summary: summarize(body.changes, body.files, body.contracts),
    }),
  ) as Omit<PlanDocument, "digest">;
  return { ...unsealed, digest: digestOf(unsealed) };
}

export function serializePlan(plan: PlanDocument): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

function invalid(message: string): PlumbError {
  return new PlumbError("PLB713", message, {
    hint: "create the plan again with `plumb plan --out plan.json`",
  });
}

/** Reads a saved plan: refuses other formats, unknown versions and a digest that does not match. */
export function parsePlan(text: string, file = "plan file"): PlanDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid(`${file} is not JSON`);
  }
  if (value === null || typeof value !== "object") throw invalid(`${file} is not a plumb plan`);
  const v = value as Partial<PlanDocument> & Record<string, unknown>;
  if (v.format !== PLAN_FORMAT)
    throw invalid(`${file} is not a plumb plan (format ${JSON.stringify(v.format)})`);
  if (v.version !== PLAN_VERSION) {
    throw invalid(
      `${file} has plan version ${JSON.stringify(v.version)}; this plumb reads version ${PLAN_VERSION} only`,
    );
  }
  const rest = Object.fromEntries(
    Object.entries(v).filter(([k]) => !(UNSEALED as readonly string[]).includes(k)),
  );
  const digest = v.digest;
  if (typeof digest !== "string" || digestOf(rest) !== digest) {
    throw invalid(
      `${file}: digest mismatch (the file was edited or truncated after plumb wrote it)`,
    );
  }
  if (
    !Array.isArray(v.changes) ||
    !Array.isArray(v.observed) ||
    typeof v.owner !== "string" ||
    !Array.isArray(v.risk?.items) ||
    typeof v.git?.clean !== "boolean"
  ) {
    throw invalid(`${file} lacks changes, observed, owner, risk or git`);
  }
  if (v.approvals !== undefined && !Array.isArray(v.approvals))
    throw invalid(`${file}: approvals must be a list`);
  return v as PlanDocument;
}
