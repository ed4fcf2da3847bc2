// The in-memory Incus of the property tests: the fake Incus's store answering a real
// IncusApiDriver in-process (memory-transport.ts), so it passes the same driver conformance suite
// as the fake server and the real daemon (incus-api-driver.test.ts), and plans are observed and
// applied through the very reconcilers plumb runs. Tests reach the raw objects to edit them by hand.
import { IncusApiDriver } from "../drivers/incus/incus-api-driver.js";
import type { Inst, Space } from "../drivers/incus/testing/fake-replies.js";
import type { FakeStore } from "../drivers/incus/testing/fake-store.js";
import { MemoryTransport } from "../drivers/incus/testing/memory-transport.js";
import type { ConfigMap } from "../drivers/incus/types.js";
import type { InstanceSpec } from "../kinds/instance/spec.js";
import { OWNER_KEY } from "../kit/ownership.js";
import { CachedLiveView } from "../live-view.js";
import type { ObservedObject } from "../model.js";
import { KINDS, RECONCILERS } from "../registry.js";

export interface MemoryIncus {
  readonly driver: IncusApiDriver;
  readonly store: FakeStore;
  readonly transport: MemoryTransport;
}

export function emptyIncus(): MemoryIncus {
  const transport = new MemoryTransport();
  // Operations finish on the next tick; finished ones are forgotten soon (nothing waits late).
  transport.operations.delayMs = 0;
  transport.operations.expiryMs = 1000;
  return { driver: new IncusApiDriver(transport), store: transport.store, transport };
}

/** A deep copy of every object (to compare what an apply left untouched). */
export function snapshotOf(m: MemoryIncus): Map<string, Space> {
  return structuredClone(m.store.projects);
}

export function spaceOf(m: MemoryIncus, project: string): Space | undefined {
  return m.store.projects.get(project);
}

/** The live instance object: editing it edits Incus. */
export function instanceOf(m: MemoryIncus, project: string, name: string): Inst | undefined {
  return spaceOf(m, project)?.instances.get(name);
}

export function profileOf(m: MemoryIncus, project: string, name: string) {
  return spaceOf(m, project)?.profiles.get(name);
}

/** Bridges live in the default project. */
export function networksOf(m: MemoryIncus) {
  return spaceOf(m, "default")?.networks ?? new Map();
}

/** A project made by hand (as `incus project create` would). */
export function addProject(
  m: MemoryIncus,
  p: { name: string; description: string; config: ConfigMap },
): void {
  const reply = m.store.route("POST", new URL("http://incus/1.0/projects"), p, undefined);
  if (reply.status >= 300) throw new Error(`test setup: ${JSON.stringify(reply.body)}`);
}

/** An instance made by hand, with the server's own keys, in an existing project. */
export function putInstance(
  m: MemoryIncus,
  project: string,
  name: string,
  spec: InstanceSpec,
  running: boolean,
): void {
  const space = spaceOf(m, project);
  if (!space) throw new Error(`test setup: no project ${project}`);
  space.instances.set(name, {
    name,
    status: running ? "Running" : "Stopped",
    description: spec.description,
    profiles: [...spec.profiles],
    config: {
      ...spec.config,
      "image.os": "busybox",
      "volatile.base_image": "7638b0294147",
      "volatile.uuid": "u",
    },
    devices: structuredClone(spec.devices) as Inst["devices"],
    ephemeral: false,
    created_at: "",
    snapshots: new Map(),
  });
}

/** What a plan would observe: every project, the networks, profiles and instances of owned projects. */
export async function observeMemory(m: MemoryIncus, owner: string): Promise<ObservedObject[]> {
  const live = new CachedLiveView(m.driver);
  const projects = (await live.projects())
    .filter((p) => p.name !== "default" && p.config[OWNER_KEY] === owner)
    .map((p) => p.name)
    .sort();
  const out: ObservedObject[] = [];
  for (const kind of KINDS) out.push(...(await RECONCILERS[kind].read(live, { owner, projects })));
  return out;
}
