// What every semantic rule receives: the merged document (possibly schema-invalid, so read it
// defensively), typed views of its domains and machines, and the computed addressing.
import type { Diagnostic } from "../../core/diagnostics.js";
import {
  type AddressLock,
  type AddressPlan,
  computeAddressing,
  isRecord,
} from "../../core/model/addressing.js";
import type { ContractTemplates } from "../contracts/template-index.js";

export interface DomainEntry {
  readonly name: string;
  readonly value: Record<string, unknown>;
  readonly enabled: boolean;
}

export interface MachineEntry {
  readonly name: string;
  readonly domain: DomainEntry;
  readonly value: Record<string, unknown>;
}

export interface RuleContext {
  readonly doc: Record<string, unknown>;
  readonly global: Record<string, unknown>;
  readonly domains: readonly DomainEntry[];
  readonly machines: readonly MachineEntry[];
  readonly policies: readonly { readonly index: number; readonly value: Record<string, unknown> }[];
  readonly sharedVolumes: readonly {
    readonly name: string;
    readonly value: Record<string, unknown>;
  }[];
  readonly addressing: AddressPlan;
  /** templates/ as `contracts:` needs it; absent: the contract rules that need it are skipped. */
  readonly templates?: ContractTemplates | undefined;
}

/** A semantic rule: a small named function from context to diagnostics. Never throws. */
export type Rule = (ctx: RuleContext) => Diagnostic[];

/** `lock`: the recorded allocations (addresses.lock.yml); renumbers are computed against it. */
export function buildContext(
  doc: Record<string, unknown>,
  lock?: AddressLock,
  templates?: ContractTemplates,
): RuleContext {
  const global = isRecord(doc.global) ? doc.global : {};
  const domains: DomainEntry[] = [];
  const machines: MachineEntry[] = [];
  if (isRecord(doc.domains)) {
    for (const [name, value] of Object.entries(doc.domains)) {
      if (!isRecord(value)) continue;
      const d: DomainEntry = { name, value, enabled: value.enabled !== false };
      domains.push(d);
      if (isRecord(value.machines)) {
        for (const [mname, m] of Object.entries(value.machines)) {
          if (isRecord(m)) machines.push({ name: mname, domain: d, value: m });
        }
      }
    }
  }
  const policies = Array.isArray(doc.network_policies)
    ? doc.network_policies.flatMap((value, index) => (isRecord(value) ? [{ index, value }] : []))
    : [];
  const sharedVolumes = isRecord(doc.shared_volumes)
    ? Object.entries(doc.shared_volumes).flatMap(([name, value]) =>
        isRecord(value) ? [{ name, value }] : [],
      )
    : [];
  return {
    doc,
    global,
    domains,
    machines,
    policies,
    sharedVolumes,
    addressing: computeAddressing(doc, lock),
    templates,
  };
}

export const machinePath = (m: MachineEntry, ...rest: (string | number)[]) => [
  "domains",
  m.domain.name,
  "machines",
  m.name,
  ...rest,
];
