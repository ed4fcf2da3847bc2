// The reconcile model shared by every kind: object references, the managed view ("spec") of each
// kind, the observed objects, and the Change union a plan is made of. Pure types and helpers.
// A kind declares its managed view by adding itself to `SpecOf` from its own folder
// (reconcilers/kinds/<kind>/spec.ts); the order kinds are applied in is the registry's.
import type { InstanceSource } from "./drivers/incus/types.js";

/**
 * Kind name → its managed view (what plumb declares and compares). Each kind folder adds its
 * entry with `declare module "../../model.js" { interface SpecOf { … } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, one kind per folder
export interface SpecOf {}

/** Resource kinds: the keys of `SpecOf`. */
export type Kind = keyof SpecOf & string;

export interface ObjectRef {
  readonly kind: Kind;
  /** Incus project the object lives in (networks: `default`; projects: their own name). */
  readonly project: string;
  readonly name: string;
}

/** `instance:web/web-1` — stable id of an object in plans, journals and logs. */
export function refId(ref: ObjectRef): string {
  return `${ref.kind}:${ref.project}/${ref.name}`;
}

/** `web/web-1` for messages (projects and networks by name alone). */
export function refLabel(ref: ObjectRef): string {
  return ref.kind === "project" || ref.kind === "network" ? ref.name : `${ref.project}/${ref.name}`;
}

export type AnySpec = SpecOf[Kind];

/** What only a create needs (instances): where the root file system comes from, start or not. */
export interface CreateOptions {
  /** The image as declared (`images:debian/13`), recorded in `user.plumb.image`. */
  readonly image: string;
  /** The image after the site's image map, as sent to Incus. */
  readonly source: InstanceSource;
  readonly start: boolean;
  /** Cluster member to create it on (the machine's `target`). */
  readonly target?: string;
}

export interface DesiredObject<K extends Kind = Kind> {
  readonly ref: ObjectRef & { readonly kind: K };
  readonly spec: SpecOf[K];
  readonly create?: CreateOptions;
  /** Ids of objects that must exist first (project, network, profiles). */
  readonly deps: readonly string[];
  /** Facts for the reader of the plan (e.g. "VMs cannot run on this host"). */
  readonly notes?: readonly string[];
  /** Set when this host cannot create it: the change is planned but skipped at apply time. */
  readonly unsupported?: string;
}

/**
 * Who an object belongs to, from its local `user.plumb.*` keys:
 * `owned` — ours (owner and identity match); `unowned` — no plumb keys; `foreign` — another
 * estate's; `copy` — our owner but another object's identity (an `incus copy` of ours).
 */
export type Ownership = "owned" | "unowned" | "foreign" | "copy";

export interface ObservedObject<K extends Kind = Kind> {
  readonly ref: ObjectRef & { readonly kind: K };
  /** The live object seen through the managed view of its kind. */
  readonly spec: SpecOf[K];
  readonly ownership: Ownership;
  /** Hash of everything a saved plan depends on; re-read and compared before applying. */
  readonly hash: string;
  /** Kind-specific facts the diff needs (instance status, project features, declared image…). */
  readonly facts: Readonly<Record<string, string>>;
}

// ---- changes ----
export interface FieldChange {
  /** `config.limits.memory`, `devices.eth0.ipv4.address`, `profiles`, `description`. */
  readonly path: string;
  /** Absent: the field is added. */
  readonly before?: unknown;
  /** Absent: the field is removed. */
  readonly after?: unknown;
}

interface Base<K extends Kind> {
  readonly id: string;
  readonly ref: ObjectRef & { readonly kind: K };
  readonly deps: readonly string[];
  readonly notes?: readonly string[];
  /** Profiles: the existing instances (`project/name`) a change to it reaches. */
  readonly affects?: readonly string[];
}

/**
 * One planned step. `orphan` and `conflict` are reported, never applied. `update-restart` is an
 * update of a running instance that takes effect only after a restart (applied with
 * --allow-restart). `delete` is an orphan being pruned (`auto_cleanup: true`).
 */
export type Change<K extends Kind = Kind> =
  | (Base<K> & {
      readonly action: "create";
      readonly desired: SpecOf[K];
      readonly create?: CreateOptions;
      readonly unsupported?: string;
    })
  | (Base<K> & {
      readonly action: "update";
      readonly desired: SpecOf[K];
      readonly fields: readonly FieldChange[];
      /** True when the live object no longer matches what plumb last wrote (changed by hand). */
      readonly drift: boolean;
    })
  | (Base<K> & {
      readonly action: "update-restart";
      readonly desired: SpecOf[K];
      readonly fields: readonly FieldChange[];
      readonly drift: boolean;
      /** The changed keys that only take effect on restart. */
      readonly restartFields: readonly string[];
    })
  | (Base<K> & {
      readonly action: "replace";
      readonly desired: SpecOf[K];
      readonly create: CreateOptions;
      readonly fields: readonly FieldChange[];
      /** What forces the replacement (`type: container → virtual-machine`). */
      readonly reasons: readonly string[];
      readonly unsupported?: string;
    })
  | (Base<K> & { readonly action: "start" })
  | (Base<K> & { readonly action: "stop" })
  | (Base<K> & { readonly action: "delete"; readonly reason: string })
  | (Base<K> & { readonly action: "orphan"; readonly reason: string })
  | (Base<K> & { readonly action: "conflict"; readonly reason: string });

export type Action = Change["action"];
export const ACTIONS: readonly Action[] = [
  "create",
  "update",
  "update-restart",
  "replace",
  "start",
  "stop",
  "delete",
  "orphan",
  "conflict",
];

/** Actions that change something when applied (orphans and conflicts are only reported). */
export function isActionable(change: Change): boolean {
  return change.action !== "orphan" && change.action !== "conflict";
}

/** A typed table over every action: adding an action does not compile until each table has it. */
export type ActionTable<T> = { readonly [A in Action]: T };
