// Addressing of anklume (docs/infra-reference.md), computed once so every command agrees on it.
//
// Zone mode (`global.addressing` present): subnet 10.<zone_base + zone offset>.<seq>.0/24, where
// seq is the domain's `subnet_id` or the lowest free number in its trust zone, domains visited
// by name. Legacy mode: <base_subnet>.<subnet_id>.0/24. Gateway always .254. Zone mode assigns
// missing machine IPs from .1 upward (declaration order), up to .99.
//
// Sticky (docs/generator.md "Sticky addressing"): given the recorded allocations of
// `addresses.lock.yml`, an automatically numbered domain or machine keeps its recorded address
// while it is still in its zone and free; only new objects take free numbers. Without a lock
// (a fresh estate) the result is exactly anklume's. Changes against the lock are `renumbers`.
//
// Pure and total: it accepts any value (the schema may have failed) and reports problems
// instead of throwing.
import type { Code } from "../codes.js";
import type { JsonPath } from "../diagnostics.js";
import type { TrustLevel } from "./infra.js";

export const ZONE_OFFSETS: Readonly<Record<TrustLevel, number>> = {
  admin: 0,
  trusted: 10,
  "semi-trusted": 20,
  untrusted: 40,
  disposable: 50,
};
export const DEFAULT_TRUST_LEVEL: TrustLevel = "semi-trusted";
export const DEFAULT_ZONE_BASE = 100;
export const DEFAULT_BASE_SUBNET = "10.100";
export const GATEWAY_HOST = 254;
export const AUTO_IP_FIRST = 1;
export const AUTO_IP_LAST = 99;
export const MAX_SEQ = 254;

export type AddressingMode = "zone" | "legacy";

export interface DomainAddress {
  readonly domain: string;
  /** Third octet: explicit `subnet_id` or the computed zone sequence. */
  readonly seq: number;
  /** Zone mode: the trust level used (defaulted). Legacy mode: as declared, possibly absent. */
  readonly trustLevel: TrustLevel | undefined;
  /** "10.120.3" */
  readonly prefix: string;
  /** "10.120.3.0/24" */
  readonly subnet: string;
  /** "10.120.3.254" */
  readonly gateway: string;
}

export interface MachineAddress {
  readonly domain: string;
  readonly machine: string;
  /** The explicit `ip` when valid-looking, else the automatic one; undefined if none. */
  readonly ip: string | undefined;
  readonly auto: boolean;
}

export interface AddressProblem {
  readonly code: Code;
  readonly message: string;
  readonly hint?: string;
  readonly path: JsonPath;
  readonly target?: "key" | "value";
}

/** The recorded allocations (`addresses.lock.yml`): domain → subnet, machine → IPv4. */
export interface AddressLock {
  readonly domains: Readonly<Record<string, string>>;
  readonly machines: Readonly<Record<string, string>>;
}

export const EMPTY_LOCK: AddressLock = { domains: {}, machines: {} };

/** An existing object whose address differs from the recorded one. */
export interface Renumber {
  readonly kind: "domain" | "machine";
  /** Domain name, or machine name. */
  readonly name: string;
  /** For machines: their domain. */
  readonly domain: string;
  readonly from: string;
  readonly to: string;
}

export interface AddressPlan {
  readonly mode: AddressingMode;
  readonly domains: ReadonlyMap<string, DomainAddress>;
  readonly machines: readonly MachineAddress[];
  readonly problems: readonly AddressProblem[];
  /** Against the lock given to computeAddressing (none without one). */
  readonly renumbers: readonly Renumber[];
}

const TRUST_LEVELS = Object.keys(ZONE_OFFSETS) as TrustLevel[];

export function isTrustLevel(v: unknown): v is TrustLevel {
  return typeof v === "string" && (TRUST_LEVELS as string[]).includes(v);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Strict dotted quad: four decimal octets 0–255 without leading zeros. */
export function parseIPv4(s: unknown): [number, number, number, number] | undefined {
  if (typeof s !== "string") return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map((p) => (p.length > 1 && p.startsWith("0") ? Number.NaN : Number(p)));
  if (parts.some((p) => !(p >= 0 && p <= 255))) return undefined;
  return parts as [number, number, number, number];
}

function validSubnetId(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= MAX_SEQ;
}

/** `lock`: the recorded allocations to keep (omitted: a fresh estate, numbered like anklume). */
export function computeAddressing(doc: unknown, lock: AddressLock = EMPTY_LOCK): AddressPlan {
  const root = isRecord(doc) ? doc : {};
  const global = isRecord(root.global) ? root.global : {};
  const domains = isRecord(root.domains) ? root.domains : {};
  const mode: AddressingMode =
    "addressing" in global && global.addressing !== undefined ? "zone" : "legacy";
  const problems: AddressProblem[] = [];
  const out = new Map<string, DomainAddress>();
  const entries = Object.entries(domains).filter((e): e is [string, Record<string, unknown>] =>
    isRecord(e[1]),
  );

  if (mode === "zone") {
    const addressing = isRecord(global.addressing) ? global.addressing : {};
    const zb = addressing.zone_base;
    const zoneBase =
      typeof zb === "number" && Number.isInteger(zb) && zb >= 0 ? zb : DEFAULT_ZONE_BASE;
    const byZone = new Map<TrustLevel, [string, Record<string, unknown>][]>();
    for (const e of entries) {
      const tl = isTrustLevel(e[1].trust_level) ? e[1].trust_level : DEFAULT_TRUST_LEVEL;
      const list = byZone.get(tl) ?? [];
      list.push(e);
      byZone.set(tl, list);
    }
    for (const tl of TRUST_LEVELS) {
      const members = (byZone.get(tl) ?? []).sort((a, b) =>
        a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0,
      );
      const second = zoneBase + ZONE_OFFSETS[tl];
      const taken = new Map<number, string>();
      for (const [name, d] of members) {
        if (!validSubnetId(d.subnet_id)) continue;
        const other = taken.get(d.subnet_id);
        if (other !== undefined) {
          problems.push({
            code: "PLB305",
            message: `subnet_id ${d.subnet_id} of domain '${name}' is already used by '${other}' in zone '${tl}'`,
            hint: `choose a subnet_id not used by another ${tl} domain, or remove it to get one automatically`,
            path: ["domains", name, "subnet_id"],
          });
        } else taken.set(d.subnet_id, name);
      }
      // Sticky: a recorded number still inside this zone and not claimed explicitly is kept.
      const kept = new Map<string, number>();
      for (const [name, d] of members) {
        if (validSubnetId(d.subnet_id)) continue;
        const seq = recordedSeq(own(lock.domains, name), `10.${second}`);
        if (seq !== undefined && !taken.has(seq)) {
          taken.set(seq, name);
          kept.set(name, seq);
        }
      }
      if (second > 255 && members.length > 0) {
        problems.push({
          code: "PLB307",
          message: `zone '${tl}' would use 10.${second}.x.0/24: zone_base ${zoneBase} + offset ${ZONE_OFFSETS[tl]} is past 255`,
          hint: `lower global.addressing.zone_base to at most ${255 - ZONE_OFFSETS.disposable} so every zone fits`,
          path: ["global", "addressing", "zone_base"],
        });
      }
      let next = 0;
      for (const [name, d] of members) {
        let seq: number;
        if (validSubnetId(d.subnet_id)) seq = d.subnet_id;
        else if (kept.has(name)) seq = kept.get(name) as number;
        else {
          while (taken.has(next)) next++;
          seq = next;
          taken.set(seq, name);
          if (seq > MAX_SEQ) {
            problems.push({
              code: "PLB308",
              message: `domain '${name}' is number ${seq + 1} in zone '${tl}'; a zone holds at most ${MAX_SEQ + 1} domains`,
              hint: "move some domains to another trust_level",
              path: ["domains", name],
              target: "key",
            });
            continue;
          }
        }
        if (second > 255) continue;
        out.set(name, domainAddress(name, `10.${second}.${seq}`, seq, tl));
      }
    }
  } else {
    const bs = global.base_subnet ?? DEFAULT_BASE_SUBNET;
    const base =
      typeof bs === "string" && /^\d{1,3}\.\d{1,3}$/.test(bs) && parseIPv4(`${bs}.0.0`)
        ? bs
        : undefined;
    if (base === undefined) {
      problems.push({
        code: "PLB310",
        message: `base_subnet ${JSON.stringify(bs)} is not two octets such as "10.100"`,
        hint: 'write the first two octets of the estate\'s /16, e.g. base_subnet: "10.100"',
        path: ["global", "base_subnet"],
      });
    }
    const taken = new Map<number, string>();
    for (const [name, d] of entries) {
      if (d.subnet_id === undefined || d.subnet_id === null) {
        problems.push({
          code: "PLB306",
          message: `domain '${name}' has no subnet_id (required without global.addressing)`,
          hint: "add subnet_id: <0-254>, or add global.addressing to number domains automatically by trust zone",
          path: ["domains", name],
          target: "key",
        });
        continue;
      }
      if (!validSubnetId(d.subnet_id)) continue; // the schema reports the type/range
      const other = taken.get(d.subnet_id);
      if (other !== undefined) {
        problems.push({
          code: "PLB305",
          message: `subnet_id ${d.subnet_id} of domain '${name}' is already used by '${other}'`,
          hint: "without global.addressing, subnet_id is unique across all domains",
          path: ["domains", name, "subnet_id"],
        });
        continue;
      }
      taken.set(d.subnet_id, name);
      if (base !== undefined) {
        const tl = isTrustLevel(d.trust_level) ? d.trust_level : undefined;
        out.set(name, domainAddress(name, `${base}.${d.subnet_id}`, d.subnet_id, tl));
      }
    }
  }

  const machines: MachineAddress[] = [];
  for (const [name, d] of entries) {
    // A `type: server` machine has its own address: nothing is allocated or recorded for it.
    const ms = isRecord(d.machines)
      ? Object.entries(d.machines).filter(([, m]) => !(isRecord(m) && m.type === "server"))
      : [];
    const addr = out.get(name);
    const used = new Set<number>();
    if (addr) {
      for (const [, m] of ms) {
        const ip = isRecord(m) ? parseIPv4(m.ip) : undefined;
        if (ip && `${ip[0]}.${ip[1]}.${ip[2]}` === addr.prefix) used.add(ip[3]);
      }
    }
    // Sticky: a recorded automatic IP still inside this subnet and free is kept.
    const keptIp = new Map<string, number>();
    if (addr && mode === "zone") {
      for (const [mname, m] of ms) {
        const explicit = isRecord(m) ? m.ip : undefined;
        if (explicit !== undefined && explicit !== null && explicit !== "") continue;
        const ip = parseIPv4(own(lock.machines, mname));
        if (!ip || `${ip[0]}.${ip[1]}.${ip[2]}` !== addr.prefix) continue;
        if (ip[3] < AUTO_IP_FIRST || ip[3] > AUTO_IP_LAST || used.has(ip[3])) continue;
        used.add(ip[3]);
        keptIp.set(mname, ip[3]);
      }
    }
    let host = AUTO_IP_FIRST;
    for (const [mname, m] of ms) {
      const explicit = isRecord(m) ? m.ip : undefined;
      if (explicit !== undefined && explicit !== null && explicit !== "") {
        machines.push({
          domain: name,
          machine: mname,
          ip: typeof explicit === "string" ? explicit : undefined,
          auto: false,
        });
        continue;
      }
      if (mode === "legacy" || addr === undefined) {
        machines.push({ domain: name, machine: mname, ip: undefined, auto: false });
        continue;
      }
      const kept = keptIp.get(mname);
      if (kept !== undefined) {
        machines.push({ domain: name, machine: mname, ip: `${addr.prefix}.${kept}`, auto: true });
        continue;
      }
      while (used.has(host)) host++;
      if (host > AUTO_IP_LAST) {
        problems.push({
          code: "PLB309",
          message: `domain '${name}' ran out of automatic IPs (.${AUTO_IP_FIRST}-.${AUTO_IP_LAST}) for machine '${mname}'`,
          hint: `give '${mname}' an explicit ip in ${addr.prefix}.100-${addr.prefix}.253, or split the domain`,
          path: ["domains", name, "machines", mname],
          target: "key",
        });
        machines.push({ domain: name, machine: mname, ip: undefined, auto: true });
        continue;
      }
      used.add(host);
      machines.push({ domain: name, machine: mname, ip: `${addr.prefix}.${host}`, auto: true });
    }
  }
  return { mode, domains: out, machines, problems, renumbers: renumbersOf(lock, out, machines) };
}

/** The third octet of a recorded `a.b.c.0/24` whose first two octets are `ab`. */
function recordedSeq(subnet: string | undefined, ab: string): number | undefined {
  const m = /^(\d{1,3}\.\d{1,3})\.(\d{1,3})\.0\/24$/.exec(subnet ?? "");
  if (!m || m[1] !== ab) return undefined;
  const seq = Number(m[2]);
  return validSubnetId(seq) ? seq : undefined;
}

function renumbersOf(
  lock: AddressLock,
  domains: ReadonlyMap<string, DomainAddress>,
  machines: readonly MachineAddress[],
): Renumber[] {
  const out: Renumber[] = [];
  for (const [name, a] of domains) {
    const from = own(lock.domains, name);
    if (from !== undefined && from !== a.subnet)
      out.push({ kind: "domain", name, domain: name, from, to: a.subnet });
  }
  for (const m of machines) {
    const from = own(lock.machines, m.machine);
    if (from !== undefined && m.ip !== undefined && from !== m.ip)
      out.push({ kind: "machine", name: m.machine, domain: m.domain, from, to: m.ip });
  }
  return out;
}

function domainAddress(
  domain: string,
  prefix: string,
  seq: number,
  trustLevel: TrustLevel | undefined,
): DomainAddress {
  return {
    domain,
    seq,
    trustLevel,
    prefix,
    subnet: `${prefix}.0/24`,
    gateway: `${prefix}.${GATEWAY_HOST}`,
  };
}

/** A recorded entry, never one inherited from Object.prototype (a domain named `__proto__`). */
function own(rec: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}
