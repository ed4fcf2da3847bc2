// Ownership labels: every object plumb creates carries `user.plumb.*` keys in its own (local)
// config. The identity names the object itself, so an `incus copy` of an owned instance is not
// mistaken for ours (Argo CD's self-referencing tracking id).
import { createHash } from "node:crypto";
import { canonicalize } from "../../core/signing/canonical-json.js";
import type { ConfigMap } from "../drivers/incus/types.js";
import { type ObjectRef, type Ownership, refId } from "../model.js";

export const OWNER_KEY = "user.plumb.owner";
export const ID_KEY = "user.plumb.id";
export const HASH_KEY = "user.plumb.hash";
/** Instances: the image as declared, so a changed image is seen (it forces a replacement). */
export const IMAGE_KEY = "user.plumb.image";
/** The apply lock, on the `default` project (see lock/incus-lock.ts). */
export const LOCK_KEY = "user.plumb.lock";
export const PLUMB_PREFIX = "user.plumb.";

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** `sha256:<hex>` of the canonical JSON of `value` (RFC 8785: key order does not matter). */
export function digestOf(value: unknown): string {
  return `sha256:${sha256(canonicalize(value))}`;
}

/** Identity written into `user.plumb.id`: `instance/web/web-1`. */
export function identityOf(ref: ObjectRef): string {
  return refId(ref).replace(":", "/");
}

export function ownershipOf(config: ConfigMap, ref: ObjectRef, owner: string): Ownership {
  const o = config[OWNER_KEY];
  if (o === undefined || o === "") return "unowned";
  if (o !== owner) return "foreign";
  return config[ID_KEY] === identityOf(ref) ? "owned" : "copy";
}

/** `user.plumb.owner` and `user.plumb.id` of an object (the hash is added by `sealSpec`). */
export function ownerLabels(ref: ObjectRef, owner: string): ConfigMap {
  return { [OWNER_KEY]: owner, [ID_KEY]: identityOf(ref) };
}

/** The hash a spec gets in `user.plumb.hash`: 16 hex digits of the view without the hash. */
export function specHash(spec: unknown): string {
  return digestOf(stripHash(spec)).slice("sha256:".length, "sha256:".length + 16);
}

/** The spec with `user.plumb.hash` set from its own content. */
export function sealSpec<S extends { readonly config: ConfigMap }>(spec: S): S {
  return { ...spec, config: { ...spec.config, [HASH_KEY]: specHash(spec) } };
}

function stripHash(spec: unknown): unknown {
  if (spec === null || typeof spec !== "object" || !("config" in spec)) return spec;
  const s = spec as { config: ConfigMap };
  return { ...s, config: withoutHash(s.config) };
}

/** A config map without the hash key (the hash is bookkeeping, never a difference by itself). */
export function withoutHash(config: ConfigMap): ConfigMap {
  const { [HASH_KEY]: _hash, ...rest } = config;
  return rest;
}
