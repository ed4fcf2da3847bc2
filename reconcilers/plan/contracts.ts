// The contract part of the plan: each declared contract of each machine in scope, its contract
// hash, what the target last ran successfully (instances: the `user.plumb.contract.<name>` config
// key in the live view the plan already read; servers: an injected reader), and run or nothing.
// Rendered once with the real forge (no file written) so a contract that cannot be forged fails
// the plan, and so risk, consent and roles come from the same code that builds the bundle.
import { createHash } from "node:crypto";
import { PlumbError } from "../../core/errors.js";
import { CONSENT_LEVELS, maxLevel, sensitiveNames } from "../../core/model/action.js";
import type { Estate, EstateContract, EstateMachine } from "../../core/model/estate.js";
import { redactValue } from "../../core/redact/redact.js";
import { isSecretRef } from "../../core/redact/secret-ref.js";
import { canonicalize } from "../../core/signing/canonical-json.js";
import { forge, type TemplateSource } from "../../generators/contract/hfc.js";
import type { ContractChange } from "./contract-change.js";

export type { ContractChange } from "./contract-change.js";

/** Config key holding the hash of the contract an instance last ran successfully. */
export const CONTRACT_KEY_PREFIX = "user.plumb.contract.";
export const contractKey = (name: string) => `${CONTRACT_KEY_PREFIX}${name}`;

/** Reason of a server contract planned without reading the server (`--no-targets`). */
export const NOT_READ = "not read (--no-targets)";

/** The templates a plan may forge: those that passed the gatekeeper's manifest, assets and hash. */
export interface ContractTemplateSet {
  readonly templates: ReadonlyMap<string, TemplateSource>;
  /** templates.lock `actions`: action_id → sha256 of its file. */
  readonly actionHashes: Readonly<Record<string, string>>;
}

/** What a server last ran successfully, by contract name; "unreachable" when it cannot be read. */
export type ServerStateReader = (
  machine: EstateMachine,
) => Promise<Readonly<Record<string, string>> | "unreachable">;

export interface PlanContractsInput {
  readonly estate: Estate;
  readonly limit?: readonly string[] | undefined;
  readonly templates: ContractTemplateSet;
  /** The live local config of an instance (undefined: it does not exist yet). */
  instanceConfig(
    project: string,
    name: string,
  ): Promise<Readonly<Record<string, string>> | undefined>;
  /** Undefined: servers are not read (`--no-targets`). */
  readonly readServer?: ServerStateReader | undefined;
}

/** The contract hash (docs/contracts.md#contracts-in-the-plan): never the commit, never a secret's value. */
export function contractHash(
  machine: string,
  c: EstateContract,
  template: TemplateSource,
  actionHashes: Readonly<Record<string, string>>,
): string {
  const actions = [...new Set((template.manifest.actions ?? []).map((a) => a.action))];
  const body = {
    machine,
    name: c.name,
    template: template.manifest.slug,
    template_hash: template.treeHash,
    action_hashes: actions.map((a) => actionHashes[a] ?? `missing:${a}`).sort(),
    inputs: c.inputs,
    revision: c.revision,
  };
  return `sha256:${createHash("sha256").update(canonicalize(body)).digest("hex")}`;
}

/** Inputs for display: a secret reference stays a reference, an `x-sensitive` value a digest. */
export function displayInputs(
  inputs: Readonly<Record<string, unknown>>,
  schema: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const secret = sensitiveNames(schema);
  return Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [
      k,
      isSecretRef(v) ? { secret: v.secret } : secret.has(k) ? redactValue(v) : v,
    ]),
  );
}

type Metadata = Pick<ContractChange, "risk" | "consent" | "roles">;
// What rendering concludes depends on the template and the inputs, not on the machine: one forge
// per distinct (template, inputs) in a plan (the same motd on 500 machines renders once).
const rendered = new WeakMap<TemplateSource, Map<string, Metadata>>();

/** Forges in memory with secret references replaced by the template's sample values. */
function metadataOf(machine: string, c: EstateContract, t: TemplateSource): Metadata {
  const seen = rendered.get(t) ?? new Map<string, Metadata>();
  rendered.set(t, seen);
  const key = canonicalize(c.inputs);
  const hit = seen.get(key);
  if (hit) return hit;
  const meta = forgeMetadata(machine, c, t);
  seen.set(key, meta);
  return meta;
}

function forgeMetadata(machine: string, c: EstateContract, t: TemplateSource): Metadata {
  const inputs = Object.fromEntries(
    Object.entries(c.inputs).map(([k, v]) => [
      k,
      isSecretRef(v) ? (t.manifest.sample_inputs?.[k] ?? "") : v,
    ]),
  );
  let forged: ReturnType<typeof forge>;
  try {
    forged = forge(t, {
      target: machine,
      inputs,
      gitCommit: null,
      createdAt: "1970-01-01T00:00:00Z",
    });
  } catch (e) {
    const why = e instanceof PlumbError ? `${e.code}: ${e.message}` : String(e);
    throw new PlumbError(
      "PLB774",
      `machine '${machine}', contract '${c.name}' (${c.template}) cannot be forged: ${why}`,
      { hint: "fix the inputs in infra/ (plumb validate), or the template, then plan again" },
    );
  }
  const actions = forged.hfc.actions;
  return {
    risk: forged.hfc.header.risk,
    consent: maxLevel(
      CONSENT_LEVELS,
      actions.map((a) => a.consent_level),
    ),
    roles: [...new Set(actions.map((a) => a.role))].sort(),
  };
}

export async function planContracts(input: PlanContractsInput): Promise<ContractChange[]> {
  const { estate } = input;
  const inScope = new Set(
    estate.domains
      .filter((d) => d.enabled && (!input.limit || input.limit.includes(d.name)))
      .map((d) => d.name),
  );
  const machines = estate.machines.filter((m) => inScope.has(m.domain) && m.contracts.length > 0);
  // Every server read starts now (the reader bounds them); a reader's error (a host key
  // mismatch, a bad endpoint) is not a state: it fails the plan when its machine comes up.
  type Read = { state: Readonly<Record<string, string>> | "unreachable" } | { error: unknown };
  const serverState = new Map<string, Promise<Read>>();
  const reader = input.readServer;
  if (reader)
    for (const m of machines.filter((x) => x.server !== undefined))
      serverState.set(
        m.name,
        reader(m).then(
          (state) => ({ state }),
          (error: unknown) => ({ error }),
        ),
      );
  const out: ContractChange[] = [];
  for (const m of machines) {
    const domain = estate.domains.find((d) => d.name === m.domain);
    if (!domain) continue;
    let live: Readonly<Record<string, string>> | "unreachable" | "not-read" | undefined;
    if (m.server) {
      const read = await serverState.get(m.name);
      if (read && "error" in read) throw read.error;
      live = read ? read.state : "not-read";
    } else {
      const config = await input.instanceConfig(domain.project, m.name);
      live = config
        ? Object.fromEntries(
            Object.entries(config)
              .filter(([k]) => k.startsWith(CONTRACT_KEY_PREFIX))
              .map(([k, v]) => [k.slice(CONTRACT_KEY_PREFIX.length), v]),
          )
        : undefined;
    }
    for (const c of m.contracts) {
      const t = input.templates.templates.get(c.template);
      if (!t) {
        throw new PlumbError(
          "PLB774",
          `machine '${m.name}', contract '${c.name}': template '${c.template}' is not loaded (missing, unlocked or refused by the gatekeeper)`,
          { hint: "run `plumb validate` for the template's own errors" },
        );
      }
      const hash = contractHash(m.name, c, t, input.templates.actionHashes);
      const liveHash = typeof live === "object" ? (live[c.name] ?? null) : null;
      const reason =
        live === "unreachable"
          ? "unknown state (unreachable)"
          : live === "not-read"
            ? NOT_READ
            : liveHash === null
              ? "new"
              : liveHash === hash
                ? "up to date"
                : "changed";
      out.push({
        machine: m.name,
        domain: m.domain,
        targetKind: m.server ? "server" : "instance",
        ...(m.server ? {} : { project: domain.project, instance: m.name }),
        name: c.name,
        template: `${t.manifest.slug}@${t.manifest.version}`,
        hash,
        liveHash,
        action: liveHash === hash ? "none" : "run",
        reason,
        ...metadataOf(m.name, c, t),
        inputs: displayInputs(c.inputs, t.manifest.inputs),
      });
    }
  }
  return out;
}

/** Whether any machine in the estate declares a contract (templates/ is read only then). */
export const estateHasContracts = (estate: Estate): boolean =>
  estate.machines.some((m) => m.contracts.length > 0);
