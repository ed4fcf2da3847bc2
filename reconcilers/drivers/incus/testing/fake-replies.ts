// Shared pieces of the fake Incus: the JSON envelopes, ETags over canonical JSON, key checks and
// the object shapes the store keeps.
import { createHash } from "node:crypto";
import { OperationFailure } from "./fake-operations.js";

export type Config = Record<string, string>;
export type Devices = Record<string, Config>;

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly etag?: string;
  readonly location?: string;
}

export function envelopeError(code: number, message: string): Record<string, unknown> {
  const base = { type: "error", status: "", status_code: 0, operation: "" };
  return { ...base, error_code: code, error: message, metadata: null };
}
export function errorReply(status: number, message: string): Reply {
  return { status, body: envelopeError(status, message) };
}
export function sync(metadata: unknown, status = 200, etag?: string, location?: string): Reply {
  const base = { type: "sync", status: "Success", status_code: 200, operation: "" };
  return {
    status,
    body: { ...base, error_code: 0, error: "", metadata },
    ...(etag === undefined ? {} : { etag }),
    ...(location === undefined ? {} : { location }),
  };
}

/** Canonical JSON (sorted keys), so ETags do not depend on insertion order. */
function canon(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canon).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canon(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}
export const etagOf = (fields: unknown[]): string =>
  createHash("sha256").update(canon(fields)).digest("hex");

const KNOWN_PREFIXES = [
  "user.",
  "volatile.",
  "image.",
  "limits.",
  "security.",
  "boot.",
  "raw.",
  "snapshots.",
  "environment.",
];
export function checkKeys(config: Config, extra: readonly string[] = []): void {
  for (const k of Object.keys(config)) {
    if (!KNOWN_PREFIXES.some((p) => k.startsWith(p)) && !extra.some((p) => k.startsWith(p))) {
      throw new OperationFailure(`Invalid config: Unknown configuration key: ${k}`);
    }
  }
}

export interface Snap {
  name: string;
  created_at: string;
  config: Config;
  devices: Devices;
  profiles: string[];
}
export interface Inst {
  name: string;
  /** `container` unless created as a `virtual-machine`. */
  type?: string;
  status: "Running" | "Stopped" | "Frozen";
  description: string;
  profiles: string[];
  config: Config;
  devices: Devices;
  ephemeral: boolean;
  created_at: string;
  snapshots: Map<string, Snap>;
}
export interface Space {
  description: string;
  config: Config;
  networks: Map<string, { description: string; type: string; config: Config }>;
  profiles: Map<string, { description: string; config: Config; devices: Devices }>;
  instances: Map<string, Inst>;
  /** Plain collections (fake-collections.ts) by path: `network-acls`, `storage-pools/…/custom`. */
  collections: Map<string, Map<string, Record<string, unknown>>>;
}
