// The IncusDriver conformance suite. The same cases run against the real daemon
// (tests/integration/incus-driver.test.ts) and the fake server (incus-api-driver.test.ts), so
// the fake cannot drift from what Incus really does.
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  AlreadyExistsError,
  DriverError,
  NotFoundError,
  OperationFailedError,
  PreconditionFailedError,
} from "../../reconcilers/drivers/incus/errors.js";
import type { IncusDriver } from "../../reconcilers/drivers/incus/types.js";
import { collectionConformance } from "./incus-driver-conformance-collections.js";

export interface ConformanceTarget {
  readonly driver: IncusDriver;
  /** Image alias in the `default` project to create instances from. */
  readonly image: string;
}

/** Unique, short (network names are Linux interface names: ≤ 15 characters). */
export function testPrefix(): string {
  return `pt${Math.random().toString(36).slice(2, 8)}`;
}

/** Registers the conformance cases in the caller's describe block. */
export function incusDriverConformance(target: () => ConformanceTarget): void {
  const id = testPrefix();
  const project = `plumbtest-${id}`;
  const network = `${id}-n`;
  const profile = `plumbtest-${id}-prof`;
  const inst = `plumbtest-${id}-c1`;
  const acl = `plumbtest-${id}-acl`;
  const volume = `plumbtest-${id}-vol`;
  let d: IncusDriver;
  let image: string;

  /** Expects `fn` to reject with an instance of `cls`; returns the error for more checks. */
  async function rejects<E>(fn: () => Promise<unknown>, cls: new (...a: never[]) => E): Promise<E> {
    const err = await fn().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(cls);
    return err as E;
  }

  beforeAll(async () => {
    ({ driver: d, image } = target());
    // An isolated project: own profiles, the default project's images and networks.
    await d.createProject({
      name: project,
      description: "plumbline driver conformance",
      config: {
        "features.profiles": "true",
        "features.images": "false",
        "features.storage.volumes": "true",
        "user.plumb.test": id,
      },
    });
    const def = await d.getProfile(project, "default");
    await d.updateProfile(
      project,
      "default",
      { ...def.value, devices: { root: { type: "disk", path: "/", pool: "default" } } },
      def.etag,
    );
  });

  afterAll(async () => {
    // Best effort, children first; each step tolerates "already gone".
    const quiet = (p: Promise<unknown>) => p.catch(() => undefined);
    for (const i of await d.listInstances(project).catch(() => [])) {
      await quiet(d.setInstanceState(project, i.name, "stop", { force: true }));
      await quiet(d.deleteInstance(project, i.name));
    }
    await quiet(d.deleteProfile(project, profile));
    await quiet(d.deleteNetwork("default", network));
    await quiet(d.collection("network-acls").delete("default", acl));
    await quiet(d.collection("storage-pools/default/volumes/custom").delete(project, volume));
    await quiet(d.deleteProject(project));
  });

  it("projects: create (201), list with recursion=1, get with ETag, conflict on duplicate", async () => {
    const listed = await d.listProjects();
    const mine = listed.find((p) => p.name === project);
    expect(mine?.config["user.plumb.test"]).toBe(id);
    const got = await d.getProject(project);
    expect(got.value.description).toBe("plumbline driver conformance");
    expect(got.etag).toMatch(/^[0-9a-f]{64}$/);
    const dup = await rejects(
      () => d.createProject({ name: project, config: {} }),
      AlreadyExistsError,
    );
    expect(dup.code).toBe("PLB704");
    expect(dup.method).toBe("POST");
    expect(dup.endpoint).toBe("/1.0/projects");
  });

  it("projects: PUT with If-Match updates; a stale ETag gives PreconditionFailedError (412)", async () => {
    const before = await d.getProject(project);
    const config = { ...before.value.config, "user.plumb.rev": "2" };
    await d.updateProject(project, { description: "updated", config }, before.etag);
    const after = await d.getProject(project);
    expect(after.value.config["user.plumb.rev"]).toBe("2");
    expect(after.value.config["features.profiles"]).toBe("true");
    expect(after.value.description).toBe("updated");
    expect(after.etag).not.toBe(before.etag);
    const stale = await rejects(
      () => d.updateProject(project, { description: "lost", config }, before.etag),
      PreconditionFailedError,
    );
    expect(stale.status).toBe(412);
    expect(stale.code).toBe("PLB705");
    expect((await d.getProject(project)).value.description).toBe("updated");
  });

  it("networks: bridge without addresses; create, list, get, update with ETag, 412, 409, delete", async () => {
    const config = { "ipv4.address": "none", "ipv6.address": "none" };
    await d.createNetwork("default", { name: network, type: "bridge", description: "t", config });
    const listed = await d.listNetworks("default");
    expect(listed.find((n) => n.name === network)?.config["ipv4.address"]).toBe("none");
    const got = await d.getNetwork("default", network);
    expect(got.value.type).toBe("bridge");
    expect(got.value.managed).toBe(true);
    await d.updateNetwork(
      "default",
      network,
      { description: "t2", config: { ...got.value.config, "user.plumb.rev": "2" } },
      got.etag,
    );
    const after = await d.getNetwork("default", network);
    expect(after.value.config["user.plumb.rev"]).toBe("2");
    expect(after.value.description).toBe("t2");
    await rejects(
      () => d.updateNetwork("default", network, { config: got.value.config }, got.etag),
      PreconditionFailedError,
    );
    const dup = await rejects(
      () => d.createNetwork("default", { name: network, config }),
      AlreadyExistsError,
    );
    expect(dup.status).toBe(409);
    await d.deleteNetwork("default", network);
    await rejects(() => d.getNetwork("default", network), NotFoundError);
  });

  collectionConformance(() => ({ d, project, network, acl, volume, id }), rejects);

  it("profiles: create, list, get, PUT replaces (removed keys vanish), 412, duplicate (500) is a conflict", async () => {
    await d.createProfile(project, {
      name: profile,
      description: "extra",
      config: { "limits.cpu": "1", "user.plumb.a": "1" },
      devices: {},
    });
    const listed = await d.listProfiles(project);
    expect(listed.map((p) => p.name).sort()).toEqual(["default", profile].sort());
    const got = await d.getProfile(project, profile);
    await d.updateProfile(
      project,
      profile,
      { description: "extra", config: { "user.plumb.a": "2" }, devices: {} },
      got.etag,
    );
    const after = await d.getProfile(project, profile);
    expect(after.value.config).toEqual({ "user.plumb.a": "2" });
    await rejects(
      () => d.updateProfile(project, profile, got.value, got.etag),
      PreconditionFailedError,
    );
    const dup = await rejects(
      () => d.createProfile(project, { name: profile, config: {}, devices: {} }),
      AlreadyExistsError,
    );
    expect(dup.status).toBe(500);
  });

  it("operations: the running ones, across projects, while an instance is being created", async () => {
    const name = `${inst}-op`;
    const creating = d.createInstance(project, { name, source: { type: "image", alias: image } });
    let seen = false;
    for (let i = 0; i < 50 && !seen; i++) {
      seen = (await d.runningOperations()).some((op) =>
        JSON.stringify(op.resources ?? {}).includes(name),
      );
    }
    await creating;
    expect(seen).toBe(true);
    expect(
      (await d.runningOperations()).some((op) => JSON.stringify(op.resources ?? {}).includes(name)),
    ).toBe(false);
    await d.deleteInstance(project, name);
  });

  it("image aliases: one recursion=1 listing; the test image is there with its fingerprint", async () => {
    const aliases = await d.listImageAliases();
    const mine = aliases.find((a) => a.name === image);
    expect(mine?.target).toMatch(/^[0-9a-f]{12,64}$/);
  });

  it("instances: create from the image, list (recursion=1), duplicate inside the operation is a conflict", async () => {
    await d.createInstance(project, {
      name: inst,
      source: { type: "image", alias: image },
      config: { "user.plumb.owner": id },
    });
    const listed = await d.listInstances(project);
    const mine = listed.find((i) => i.name === inst);
    expect(mine?.status).toBe("Stopped");
    expect(mine?.config["user.plumb.owner"]).toBe(id);
    expect(mine?.expanded_devices.root?.type).toBe("disk");
    const dup = await rejects(
      () => d.createInstance(project, { name: inst, source: { type: "image", alias: image } }),
      AlreadyExistsError,
    );
    expect(dup.operation).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("instances: a missing image fails inside the operation (error in the 200 /wait body)", async () => {
    const err = await rejects(
      () =>
        d.createInstance(project, {
          name: `${inst}-noimg`,
          source: { type: "image", alias: `${id}-no-such-image` },
        }),
      OperationFailedError,
    );
    expect(err.code).toBe("PLB706");
    expect(err.incusError).toMatch(/image/i);
  });

  it("instances: PUT with If-Match (volatile.* sent back verbatim), then 412 on the old ETag", async () => {
    const got = await d.getInstance(project, inst);
    expect(got.value.config["volatile.uuid"]).toBeTruthy();
    const put = {
      config: { ...got.value.config, "user.plumb.rev": "2" },
      devices: got.value.devices,
      profiles: got.value.profiles,
      description: "rev 2",
    };
    await d.updateInstance(project, inst, put, got.etag);
    const after = await d.getInstance(project, inst);
    expect(after.value.config["user.plumb.rev"]).toBe("2");
    expect(after.value.config["volatile.uuid"]).toBe(got.value.config["volatile.uuid"]);
    const stale = await rejects(
      () => d.updateInstance(project, inst, put, got.etag),
      PreconditionFailedError,
    );
    expect(stale.status).toBe(412);
  });

  it("instances: start, start again is a no-op, DELETE of a running instance is refused (400)", async () => {
    expect(await d.setInstanceState(project, inst, "start")).toEqual({ changed: true });
    expect((await d.getInstanceState(project, inst)).status).toBe("Running");
    expect(await d.setInstanceState(project, inst, "start")).toEqual({ changed: false });
    const running = await rejects(() => d.deleteInstance(project, inst), DriverError);
    expect(running.status).toBe(400);
    expect(running.code).toBe("PLB702");
    const full = await d.listInstances(project, { withState: true });
    expect(full.find((i) => i.name === inst)?.state?.status).toBe("Running");
  });

  it("snapshots: create, list, duplicate is a conflict, restore brings config back, delete", async () => {
    await d.createSnapshot(project, inst, { name: "snap0" });
    expect((await d.listSnapshots(project, inst)).map((s) => s.name)).toEqual(["snap0"]);
    await rejects(() => d.createSnapshot(project, inst, { name: "snap0" }), AlreadyExistsError);
    const got = await d.getInstance(project, inst);
    const changed = { ...got.value.config, "user.plumb.rev": "3" };
    await d.updateInstance(
      project,
      inst,
      { config: changed, devices: got.value.devices, profiles: got.value.profiles },
      got.etag,
    );
    expect((await d.getInstance(project, inst)).value.config["user.plumb.rev"]).toBe("3");
    await d.restoreSnapshot(project, inst, "snap0");
    const restored = await d.getInstance(project, inst);
    expect(restored.value.config["user.plumb.rev"]).toBe("2");
    expect(restored.value.status).toBe("Running");
    await d.deleteSnapshot(project, inst, "snap0");
    expect(await d.listSnapshots(project, inst)).toEqual([]);
    await rejects(() => d.deleteSnapshot(project, inst, "snap0"), NotFoundError);
  });

  it("instances: stop, stop again is a no-op, delete, then 404", async () => {
    expect(await d.setInstanceState(project, inst, "stop", { force: true })).toEqual({
      changed: true,
    });
    expect(await d.setInstanceState(project, inst, "stop")).toEqual({ changed: false });
    await d.deleteInstance(project, inst);
    const gone = await rejects(() => d.getInstance(project, inst), NotFoundError);
    expect(gone.status).toBe(404);
    expect(gone.code).toBe("PLB703");
  });

  it("a no-op read costs one recursion=1 call per kind per project", async () => {
    await Promise.all(
      [1, 2, 3].map((n) =>
        d.createInstance(project, {
          name: `${inst}-r${n}`,
          source: { type: "image", alias: image },
        }),
      ),
    );
    const before = d.apiCalls();
    const [instances, profiles, networks] = await Promise.all([
      d.listInstances(project),
      d.listProfiles(project),
      d.listNetworks(project),
    ]);
    expect(d.apiCalls() - before).toBe(3);
    expect(instances.map((i) => i.name).sort()).toEqual([1, 2, 3].map((n) => `${inst}-r${n}`));
    expect(instances.every((i) => typeof i.config === "object" && i.status === "Stopped")).toBe(
      true,
    );
    expect(profiles.length).toBe(2);
    expect(Array.isArray(networks)).toBe(true);
  });

  it("all-projects listings of instances and profiles carry each object's project; names without recursion", async () => {
    const instances = await d.collection<{ name: string }, never>("instances").listAll();
    expect(
      instances
        .filter((i) => i.project === project)
        .map((i) => i.name)
        .sort(),
    ).toEqual([1, 2, 3].map((n) => `${inst}-r${n}`));
    const profiles = await d.collection<{ name: string }, never>("profiles").listAll();
    expect(profiles.some((p) => p.project === project && p.name === "default")).toBe(true);
    const names = await d.collection<{ name: string }, never>("profiles").names(project);
    expect(names).toContain("default");
  });

  it("listing instances of a project that does not exist is NotFound, not an empty list", async () => {
    await rejects(() => d.listInstances(`${project}-typo`), NotFoundError);
  });

  it("deleting a non-empty project is refused; deleting the default project is forbidden", async () => {
    const nonEmpty = await rejects(() => d.deleteProject(project), DriverError);
    expect(nonEmpty.status).toBe(500);
    const forbidden = await rejects(() => d.deleteProject("default"), DriverError);
    expect(forbidden.status).toBe(403);
  });
}
