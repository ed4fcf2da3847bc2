// The schema is the single source of truth: it compiles under ajv's strict mode, the published
// copy (validators/infra.schema.json) is not stale, and the TypeScript types in
// core/model/infra.ts declare exactly the schema's keys (and required keys) at every level.
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { ZONE_OFFSETS } from "../core/model/addressing.js";
import {
  type InfraContract,
  type InfraDocument,
  type InfraMachine,
  type InfraPolicy,
  type InfraResourcePolicy,
  type InfraSharedVolume,
  KEYS,
} from "../core/model/infra.js";
import published from "./infra.schema.json" with { type: "json" };
import { infraSchema } from "./infra-schema.js";
import { NAME_RE } from "./rules/names.js";
import { AJV_OPTIONS } from "./schema-check.js";

type S = {
  properties?: Record<string, S>;
  required?: readonly string[];
  additionalProperties?: S | boolean;
  enum?: readonly unknown[];
  anyOf?: readonly S[];
  $ref?: string;
};
const defs = infraSchema.$defs as unknown as Record<string, S>;
const propsOf = (s: S | undefined) => Object.keys(s?.properties ?? {}).sort();
const keysOf = (o: object) => Object.keys(o).sort();

/** Keys of T that are not optional. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
// `satisfies` on an object literal rejects missing and extra keys: these lists are exactly the
// required keys of each TypeScript interface.
const REQUIRED = {
  document: { project_name: true, global: true, domains: true } satisfies Record<
    RequiredKeys<InfraDocument>,
    true
  >,
  policy: { from: true, to: true } satisfies Record<RequiredKeys<InfraPolicy>, true>,
  sharedVolume: { consumers: true } satisfies Record<RequiredKeys<InfraSharedVolume>, true>,
  contract: { template: true } satisfies Record<RequiredKeys<InfraContract>, true>,
  persistentData: { path: true } satisfies Record<
    RequiredKeys<NonNullable<InfraMachine["persistent_data"]>[string]>,
    true
  >,
};

type Keys<T> = { readonly [K in keyof Required<T>]: true };
// Levels that core/model/infra.ts types but does not list in KEYS.
const MORE_KEYS = {
  resourcePolicy: {
    mode: true,
    cpu_mode: true,
    memory_enforce: true,
    overcommit: true,
    host_reserve: true,
  } satisfies Keys<InfraResourcePolicy>,
  hostReserve: { cpu: true, memory: true } satisfies Keys<
    NonNullable<InfraResourcePolicy["host_reserve"]>
  >,
  storageVolume: { pool: true, size: true, path: true } satisfies Keys<
    NonNullable<InfraMachine["storage_volumes"]>[string]
  >,
  persistentData: { path: true, readonly: true } satisfies Keys<
    NonNullable<InfraMachine["persistent_data"]>[string]
  >,
};

describe("infraSchema", () => {
  it("compiles under ajv's strict mode (draft 2020-12)", () => {
    expect(() => new Ajv2020(AJV_OPTIONS).compile(infraSchema)).not.toThrow();
    expect(infraSchema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });

  it("equals the published validators/infra.schema.json (run `npm run build` when stale)", () => {
    expect(published).toEqual(JSON.parse(JSON.stringify(infraSchema)));
  });

  it("forbids unknown keys at every level (they become PLB106 warnings)", () => {
    const closed = [infraSchema as unknown as S, ...Object.values(defs)].filter(
      (s) => s.properties !== undefined,
    );

    for (const s of closed) expect(s.additionalProperties).toBe(false);
  });
});

describe("the TypeScript types agree with the schema", () => {
  it.each([
    ["document", KEYS.document, infraSchema as unknown as S],
    ["global", KEYS.global, defs.global],
    ["addressing", KEYS.addressing, defs.global?.properties?.addressing],
    ["domain", KEYS.domain, defs.domain],
    ["machine", KEYS.machine, defs.machine],
    ["policy", KEYS.policy, defs.policy],
    ["sharedVolume", KEYS.sharedVolume, defs.sharedVolume],
    ["profile", KEYS.profile, defs.profile],
    ["ssh", KEYS.ssh, defs.ssh],
    ["contract", KEYS.contract, defs.contract],
  ] as const)("KEYS.%s lists exactly the schema's properties", (_, keys, schema) => {
    expect(keysOf(keys)).toEqual(propsOf(schema));
  });

  it("the nested shapes without a KEYS entry agree too", () => {
    const resourcePolicy = defs.resourcePolicy;
    const entry = (s: S | undefined) => s?.additionalProperties as S | undefined;

    expect(keysOf(MORE_KEYS.resourcePolicy)).toEqual(propsOf(resourcePolicy));
    expect(keysOf(MORE_KEYS.hostReserve)).toEqual(
      propsOf(resourcePolicy?.properties?.host_reserve),
    );
    expect(keysOf(MORE_KEYS.storageVolume)).toEqual(
      propsOf(entry(defs.machine?.properties?.storage_volumes)),
    );
    expect(keysOf(MORE_KEYS.persistentData)).toEqual(
      propsOf(entry(defs.machine?.properties?.persistent_data)),
    );
  });

  it("required keys agree", () => {
    const entry = (s: S | undefined) => s?.additionalProperties as S | undefined;

    expect(keysOf(REQUIRED.document)).toEqual([...(infraSchema.required ?? [])].sort());
    expect(keysOf(REQUIRED.policy)).toEqual([...(defs.policy?.required ?? [])].sort());
    expect(keysOf(REQUIRED.contract)).toEqual([...(defs.contract?.required ?? [])].sort());
    expect(keysOf(REQUIRED.sharedVolume)).toEqual([...(defs.sharedVolume?.required ?? [])].sort());
    expect(keysOf(REQUIRED.persistentData)).toEqual(
      [...(entry(defs.machine?.properties?.persistent_data)?.required ?? [])].sort(),
    );
    // Every other level has no required key.
    for (const name of ["global", "domain", "machine", "profile", "resourcePolicy", "ssh"]) {
      expect(defs[name]?.required).toBeUndefined();
    }
  });

  it("the trust levels are the addressing zones", () => {
    expect([...(defs.domain?.properties?.trust_level?.enum ?? [])].sort()).toEqual(
      keysOf(ZONE_OFFSETS),
    );
  });

  it("the name pattern is the one the name rules use", () => {
    const profiles = defs.domain?.properties?.profiles as { propertyNames?: { pattern: string } };

    expect(profiles.propertyNames?.pattern).toBe(NAME_RE.source);
  });
});
