// The contract phase of `plumb apply` (docs/delivery.md): after the Incus changes succeeded, the
// plan's contract runs are delivered — instances through the Incus API, servers over SSH — with
// the inputs re-read from the estate (secret references resolved only now, only in memory), signed
// by the apply's keys, and every transition journaled and audited.
import { appendAudit } from "../../core/audit/append.js";
import { PlumbError } from "../../core/errors.js";
import type { Estate } from "../../core/model/estate.js";
import { isSecretRef } from "../../core/redact/secret-ref.js";
import type { Signer } from "../../core/signing/signer.js";
import type { Keyring } from "../../core/trust/keyring.js";
import { targetTrustFiles } from "../../core/trust/target-files.js";
import type { TemplateSource } from "../../generators/contract/hfc.js";
import type { ApiClient } from "../drivers/incus/api-client.js";
import type { ContractChange } from "../plan/contract-change.js";
import { contractKey } from "../plan/contracts.js";
import { ensureBootstrap, trustGate } from "./bootstrap.js";
import {
  type DeliveryEvent,
  type DeliveryResult,
  deliverContracts,
  type OnFailure,
  type ResolvedInputs,
} from "./deliver.js";
import { IncusTransport } from "./incus-transport.js";
import type { JournalRecord } from "./journal.js";
import { toEndpoint } from "./ssh/endpoint.js";
import { recordContractHash } from "./ssh/state.js";
import { SshTransport, sshOptionsFor } from "./ssh/transport.js";

export interface ContractPhaseInput {
  readonly root: string;
  /** The plan's contract changes (those with action "run" are delivered). */
  readonly changes: readonly ContractChange[];
  readonly estate: Estate;
  /** Templates that passed the gatekeeper (and the lock). */
  readonly templates: readonly TemplateSource[];
  readonly api: ApiClient;
  readonly keyring: Keyring;
  readonly keyringSha256?: string;
  readonly signers: readonly Signer[];
  readonly gitCommit: string | null;
  readonly run: string;
  readonly parallelism: number;
  readonly timeoutMs: number;
  readonly onFailure: OnFailure;
  /** Resolves a `{secret: NAME}` input (core/redact/secrets.ts; never logged, never journaled). */
  resolveSecret(name: string): string;
  readonly env: NodeJS.ProcessEnv;
  /** The apply's audit entry, so contract events hang under it. */
  readonly auditParent?: string;
  onEvent?(e: DeliveryEvent): void;
}

export function resolveInputs(
  estate: Estate,
  change: ContractChange,
  resolveSecret: ContractPhaseInput["resolveSecret"],
): ResolvedInputs {
  const c = estate.machines
    .find((m) => m.name === change.machine)
    ?.contracts.find((d) => d.name === change.name);
  if (!c)
    throw new PlumbError(
      "PLB786",
      `machine ${change.machine} no longer declares contract ${change.name}`,
      { hint: "re-plan: the infra changed since this plan was made" },
    );
  const secrets: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.inputs ?? {})) {
    if (isSecretRef(v)) {
      const value = resolveSecret(v.secret);
      secrets.push(value);
      values[k] = value;
    } else values[k] = v;
  }
  return { values, secrets };
}

function templateFor(templates: readonly TemplateSource[], change: ContractChange): TemplateSource {
  const [slug, version] = change.template.split("@");
  const t = templates.find((x) => x.manifest.slug === slug);
  if (!t)
    throw new PlumbError("PLB786", `template ${slug} is not in the checked, locked catalog`, {
      hint: "run `plumb templates check`",
    });
  if (version !== undefined && t.manifest.version !== version)
    throw new PlumbError(
      "PLB786",
      `template ${slug} is at version ${t.manifest.version}, the plan says ${version}`,
      { hint: "re-plan: the template changed since this plan was made" },
    );
  return t;
}

export async function runContractPhase(input: ContractPhaseInput): Promise<DeliveryResult[]> {
  const files = targetTrustFiles(input.keyring, input.keyringSha256);
  return deliverContracts(
    input.changes,
    {
      root: input.root,
      keyring: input.keyring,
      signers: input.signers,
      gitCommit: input.gitCommit,
      template: (c) => templateFor(input.templates, c),
      inputs: (c) => resolveInputs(input.estate, c, input.resolveSecret),
      transport: async (c) => {
        if (c.targetKind === "instance") {
          if (!c.project || !c.instance)
            throw new PlumbError("PLB777", `contract change for ${c.machine} names no instance`);
          return new IncusTransport({
            api: input.api,
            project: c.project,
            instance: c.instance,
            machine: c.machine,
          });
        }
        const server = input.estate.machines.find((x) => x.name === c.machine)?.server;
        if (!server)
          throw new PlumbError("PLB777", `machine ${c.machine} is not a declared server`, {
            hint: "re-plan: the infra changed since this plan was made",
          });
        return SshTransport.open(
          toEndpoint(c.machine, server),
          sshOptionsFor(input.root, input.env),
        );
      },
      bootstrap: (t) => ensureBootstrap(t, files),
      trustGate: trustGate(files),
      recordLive: async (c, t) => {
        if (t instanceof IncusTransport) await t.setConfig(contractKey(c.name), c.hash);
        else await recordContractHash(t, c.name, c.hash);
      },
      audit: (r: JournalRecord) => {
        try {
          appendAudit(input.root, {
            type: "contract.run",
            priority: r.status === "FAILED" ? "P1" : "P2",
            parent_id: input.auditParent ?? null,
            // The record carries ids, hashes, codes and a scrubbed log tail: never input values.
            payload: { ...r },
          });
        } catch {
          // the journal holds the record; `plumb audit verify` reports a broken trail
        }
      },
      ...(input.onEvent ? { onEvent: input.onEvent } : {}),
    },
    {
      run: input.run,
      parallelism: input.parallelism,
      timeoutMs: input.timeoutMs,
      onFailure: input.onFailure,
    },
  );
}
