// fast-check arbitraries for infra documents: a valid zone-mode estate (what the validator must
// accept with zero errors) and infra-shaped documents with random leaves (what it must survive).
import fc from "fast-check";
import type { TrustLevel } from "../../core/model/infra.js";

export const TRUST_LEVELS: readonly TrustLevel[] = [
  "admin",
  "trusted",
  "semi-trusted",
  "untrusted",
  "disposable",
];
const OFFSET: Record<TrustLevel, number> = {
  admin: 0,
  trusted: 10,
  "semi-trusted": 20,
  untrusted: 40,
  disposable: 50,
};

/** Valid domain names: the name regex, at most 11 characters, not a reserved group. */
export const domainName = fc
  .stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,9}[a-z0-9])?$/)
  .filter((n) => n !== "all" && n !== "ungrouped" && n !== "host");
/** Valid machine names: start with a letter (all-numeric names are refused), at most 16 here. */
export const machineName = fc
  .stringMatching(/^[a-z](?:[a-z0-9-]{0,14}[a-z0-9])?$/)
  .filter((n) => n !== "host" && n !== "localhost");
/** Profile, persistent_data and shared-volume names. */
const shortName = fc.stringMatching(/^[a-z](?:[a-z0-9-]{0,8}[a-z0-9])?$/);

type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;

export interface ValidEstate {
  /** The document, a plain JSON value (serialize it with `yaml`'s stringify). */
  readonly doc: {
    project_name: string;
    global: { addressing: { base_octet: 10; zone_base: number } };
    domains: Record<string, Record<string, unknown>>;
    network_policies?: Record<string, unknown>[];
    shared_volumes?: Record<string, Record<string, unknown>>;
  };
  readonly domains: readonly string[];
  readonly machines: readonly { readonly name: string; readonly domain: string }[];
  /** `10.<second>.<seq>` of domains whose subnet_id is explicit (their prefix is known). */
  readonly prefixes: ReadonlyMap<string, string>;
}

const domainSpec = fc.record({
  trust: fc.option(fc.constantFrom(...TRUST_LEVELS), { nil: undefined }),
  seq: fc.option(fc.integer({ min: 0, max: 254 }), { nil: undefined }),
  enabled: fc.option(fc.boolean(), { nil: undefined }),
  ephemeral: fc.option(fc.boolean(), { nil: undefined }),
  description: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  profiles: fc.uniqueArray(
    shortName.filter((n) => n !== "default"),
    { maxLength: 2 },
  ),
});

const machineSpec = fc.record({
  domain: fc.nat(),
  type: fc.option(fc.constantFrom("lxc", "vm"), { nil: undefined }),
  host: fc.option(fc.integer({ min: 1, max: 253 }), { nil: undefined }),
  profiles: fc.option(fc.array(fc.nat(), { maxLength: 3 }), { nil: undefined }),
  gpu: fc.boolean(),
  persistent: fc.option(shortName, { nil: undefined }),
  roles: fc.option(fc.array(fc.constantFrom("base_system", "web", "db"), { maxLength: 2 }), {
    nil: undefined,
  }),
});

const policySpec = fc.record({
  from: fc.nat(),
  to: fc.nat(),
  ports: fc.option(
    fc.oneof(
      fc.constant("all" as const),
      fc.array(fc.integer({ min: 1, max: 65535 }), { maxLength: 3 }),
    ),
    { nil: undefined },
  ),
  protocol: fc.option(fc.constantFrom("tcp", "udp"), { nil: undefined }),
  bidirectional: fc.option(fc.boolean(), { nil: undefined }),
  description: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
});

const volumeSpec = fc.record({
  name: shortName,
  consumers: fc.array(fc.record({ who: fc.nat(), mode: fc.constantFrom("ro", "rw") }), {
    minLength: 1,
    maxLength: 2,
  }),
});

/** Drops keys whose value is undefined (YAML has no undefined). */
function clean(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/**
 * A valid zone-mode estate: 1–6 domains with valid names (≤ 11 characters), globally unique
 * machine names, explicit IPs only inside their domain's subnet, profiles that resolve, at most
 * one GPU machine, policies between existing endpoints, shared volumes with real consumers.
 * Its only possible warnings are PLB503 (a container in an untrusted zone) and PLB403 (a policy
 * naming a disabled domain).
 */
export const validEstate: fc.Arbitrary<ValidEstate> = fc
  .record({
    // zone_base + 50 (disposable) must stay ≤ 255.
    zoneBase: fc.integer({ min: 0, max: 205 }),
    domainNames: fc.uniqueArray(domainName, { minLength: 1, maxLength: 6 }),
    domainSpecs: fc.array(domainSpec, { minLength: 6, maxLength: 6 }),
    machineNames: fc.uniqueArray(machineName, { maxLength: 15 }),
    machineSpecs: fc.array(machineSpec, { minLength: 15, maxLength: 15 }),
    policies: fc.array(policySpec, { maxLength: 5 }),
    volumes: fc.uniqueArray(volumeSpec, { maxLength: 2, selector: (v) => v.name }),
  })
  .map((g) => {
    const domainSet = new Set(g.domainNames);
    const machineNames = g.machineNames.filter((m) => !domainSet.has(m));
    const domains: Record<string, Record<string, unknown>> = {};
    const prefixes = new Map<string, string>();
    const seqTaken = new Set<string>();
    g.domainNames.forEach((name, i) => {
      const s = g.domainSpecs[i] as Of<typeof domainSpec>;
      const zone = s.trust ?? "semi-trusted";
      let seq = s.seq;
      if (seq !== undefined && seqTaken.has(`${zone}/${seq}`)) seq = undefined;
      if (seq !== undefined) {
        seqTaken.add(`${zone}/${seq}`);
        prefixes.set(name, `10.${g.zoneBase + OFFSET[zone]}.${seq}`);
      }
      domains[name] = clean({
        description: s.description,
        trust_level: s.trust,
        subnet_id: seq,
        enabled: s.enabled,
        ephemeral: s.ephemeral,
        profiles:
          s.profiles.length > 0
            ? Object.fromEntries(
                s.profiles.map((p) => [p, { config: { "limits.cpu": "1" } }] as const),
              )
            : undefined,
      });
    });
    const machines: { name: string; domain: string }[] = [];
    const hostsTaken = new Set<string>();
    let gpuGiven = false;
    machineNames.forEach((name, i) => {
      const s = g.machineSpecs[i] as Of<typeof machineSpec>;
      const domain = g.domainNames[s.domain % g.domainNames.length] as string;
      const d = domains[domain] as Record<string, unknown>;
      const defined = Object.keys((d.profiles as object | undefined) ?? {});
      const prefix = prefixes.get(domain);
      let ip: string | undefined;
      if (prefix !== undefined && s.host !== undefined && !hostsTaken.has(`${domain}/${s.host}`)) {
        hostsTaken.add(`${domain}/${s.host}`);
        ip = `${prefix}.${s.host}`;
      }
      const profiles = s.profiles?.map((k) => ["default", ...defined][k % (defined.length + 1)]);
      const gpu = s.gpu && !gpuGiven ? true : undefined;
      if (gpu) gpuGiven = true;
      d.machines ??= {};
      const ms = d.machines as Record<string, unknown>;
      ms[name] = clean({
        type: s.type,
        ip,
        profiles: profiles ? [...new Set(profiles)] : undefined,
        gpu,
        roles: s.roles,
        persistent_data: s.persistent
          ? { [s.persistent]: { path: `/data/${s.persistent}` } }
          : undefined,
      });
      machines.push({ name, domain });
    });
    const endpoints = ["host", ...g.domainNames, ...machines.map((m) => m.name)];
    const policies = g.policies
      .map((p) =>
        clean({
          description: p.description,
          from: endpoints[p.from % endpoints.length],
          to: endpoints[p.to % endpoints.length],
          ports: p.ports,
          protocol: p.protocol,
          bidirectional: p.bidirectional,
        }),
      )
      .filter((p) => p.from !== p.to);
    const consumersOf = [...g.domainNames, ...machines.map((m) => m.name)];
    const volumes = Object.fromEntries(
      g.volumes.map((v) => [
        v.name,
        {
          consumers: Object.fromEntries(
            v.consumers.map((c) => [consumersOf[c.who % consumersOf.length], c.mode]),
          ),
        },
      ]),
    );
    const doc: ValidEstate["doc"] = {
      project_name: "prop",
      global: { addressing: { base_octet: 10, zone_base: g.zoneBase } },
      domains,
      ...(policies.length > 0 ? { network_policies: policies } : {}),
      ...(g.volumes.length > 0 ? { shared_volumes: volumes } : {}),
    };
    return { doc, domains: g.domainNames, machines, prefixes };
  });

/** A leaf that is sometimes meaningful to the validator and sometimes anything at all. */
const leaf = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    "default",
    "host",
    "all",
    "10.120.0.1",
    "10.120.0.254",
    "vm",
    "lxc",
    "exclusive",
    "shared",
    "vm",
    "gpu",
    "untrusted",
    "",
    "__proto__",
    "constructor",
    true,
    false,
    null,
    0,
    -1,
    254,
    255,
    65536,
    1.5,
  ),
);
const key = fc.oneof(
  domainName,
  machineName,
  fc.string({ maxLength: 6 }),
  fc.constantFrom("__proto__", "constructor", "toString", "all", "host", "ai-tools", "anklume"),
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const dictOf = <T>(a: fc.Arbitrary<T>) => fc.dictionary(key, a, { maxKeys: 4 });

/** Documents shaped like an infra file whose leaves are random (and sometimes the shape too). */
export const infraShaped: fc.Arbitrary<unknown> = fc
  .record(
    {
      project_name: leaf,
      global: fc.oneof(
        leaf,
        fc.record(
          {
            addressing: fc.oneof(leaf, fc.record({ zone_base: leaf, base_octet: leaf })),
            base_subnet: leaf,
            gpu_policy: leaf,
            firewall_mode: leaf,
            ai_access_policy: leaf,
            ai_access_default: leaf,
            resource_policy: fc.oneof(leaf, fc.record({ mode: leaf, host_reserve: leaf })),
          },
          { requiredKeys: [] },
        ),
      ),
      domains: fc.oneof(
        leaf,
        dictOf(
          fc.oneof(
            leaf,
            fc.record(
              {
                trust_level: leaf,
                subnet_id: leaf,
                enabled: leaf,
                profiles: fc.oneof(
                  leaf,
                  dictOf(
                    fc.oneof(
                      leaf,
                      fc.record({ devices: dictOf(fc.oneof(leaf, fc.record({ type: leaf }))) }),
                    ),
                  ),
                ),
                machines: fc.oneof(
                  leaf,
                  dictOf(
                    fc.oneof(
                      leaf,
                      fc.record(
                        {
                          ip: leaf,
                          type: leaf,
                          gpu: leaf,
                          profiles: fc.oneof(leaf, fc.array(leaf, { maxLength: 3 })),
                          config: fc.oneof(leaf, dictOf(leaf)),
                          devices: fc.oneof(
                            leaf,
                            dictOf(fc.oneof(leaf, fc.record({ type: leaf }))),
                          ),
                          persistent_data: fc.oneof(
                            leaf,
                            dictOf(fc.oneof(leaf, fc.record({ path: leaf }))),
                          ),
                        },
                        { requiredKeys: [] },
                      ),
                    ),
                  ),
                ),
              },
              { requiredKeys: [] },
            ),
          ),
        ),
      ),
      network_policies: fc.oneof(
        leaf,
        fc.array(
          fc.oneof(leaf, fc.record({ from: leaf, to: leaf, ports: leaf }, { requiredKeys: [] })),
          {
            maxLength: 3,
          },
        ),
      ),
      shared_volumes: fc.oneof(
        leaf,
        dictOf(
          fc.oneof(
            leaf,
            fc.record(
              { consumers: fc.oneof(leaf, dictOf(leaf)), path: leaf },
              { requiredKeys: [] },
            ),
          ),
        ),
      ),
      extra: maybe(leaf),
    },
    { requiredKeys: [] },
  )
  .map((o) => clean(o as Record<string, unknown>));
