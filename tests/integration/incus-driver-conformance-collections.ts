// The driver conformance cases for plain collections (network ACLs, custom volumes), registered
// by incusDriverConformance, so they run on the real daemon, the fake server and the in-memory Incus.
import { expect, it } from "vitest";
import {
  AlreadyExistsError,
  DriverError,
  NotFoundError,
  PreconditionFailedError,
} from "../../reconcilers/drivers/incus/errors.js";
import type { IncusDriver } from "../../reconcilers/drivers/incus/types.js";

interface AclRule {
  readonly action: string;
  readonly protocol?: string;
  readonly destination_port?: string;
  readonly state?: string;
}
interface AclWrite {
  readonly description?: string;
  readonly config: Record<string, string>;
  readonly ingress: readonly AclRule[];
  readonly egress: readonly AclRule[];
}
type AclObject = AclWrite & { readonly name: string };
interface VolumeWrite {
  readonly description?: string;
  readonly config: Record<string, string>;
  readonly content_type?: string;
}
type VolumeObject = VolumeWrite & { readonly name: string };

export interface CollectionTarget {
  readonly d: IncusDriver;
  /** A project with its own storage volumes, made by the suite. */
  readonly project: string;
  /** A bridge name the suite may create and delete. */
  readonly network: string;
  readonly acl: string;
  readonly volume: string;
  readonly id: string;
}

type Rejects = <E>(fn: () => Promise<unknown>, cls: new (...a: never[]) => E) => Promise<E>;

export function collectionConformance(target: () => CollectionTarget, rejects: Rejects): void {
  it("network ACLs: create, list, get with ETag, PUT with If-Match, 412, duplicate, bridge reference, in use", async () => {
    const { d, network, acl, id } = target();
    const acls = d.collection<AclObject, AclWrite>("network-acls");
    const rule = { action: "allow", protocol: "tcp", destination_port: "22", state: "enabled" };
    await acls.create("default", {
      name: acl,
      description: "t",
      config: { "user.plumb.test": id },
      ingress: [rule],
      egress: [],
    });
    expect((await acls.list("default")).find((a) => a.name === acl)?.ingress).toEqual([rule]);
    expect((await acls.listAll()).some((a) => a.name === acl && a.project === "default")).toBe(
      true,
    );
    const got = await acls.get("default", acl);
    expect(got.etag).toMatch(/^[0-9a-f]{64}$/);
    const next = { ...got.value, ingress: [{ ...rule, destination_port: "22,80" }] };
    await acls.update("default", acl, next, got.etag);
    expect((await acls.get("default", acl)).value.ingress[0]?.destination_port).toBe("22,80");
    await rejects(() => acls.update("default", acl, next, got.etag), PreconditionFailedError);
    // A rule without a state is refused; a duplicate is a conflict (400 on this endpoint).
    await rejects(
      () => acls.update("default", acl, { ...next, ingress: [{ action: "allow" }] }, ""),
      DriverError,
    );
    const dup = await rejects(
      () => acls.create("default", { name: acl, config: {}, ingress: [], egress: [] }),
      AlreadyExistsError,
    );
    expect(dup.status).toBe(400);
    // A bridge cannot name a missing ACL; one that names ours keeps the ACL from being deleted.
    const none = { "ipv4.address": "none", "ipv6.address": "none" };
    await rejects(
      () =>
        d.createNetwork("default", {
          name: network,
          config: { ...none, "security.acls": `${acl}-x` },
        }),
      DriverError,
    );
    await d.createNetwork("default", { name: network, config: { ...none, "security.acls": acl } });
    await rejects(() => acls.delete("default", acl), DriverError);
    await d.deleteNetwork("default", network);
    await acls.delete("default", acl);
    await rejects(() => acls.get("default", acl), NotFoundError);
  });

  it("custom volumes: create, list in a project and across projects, PUT with If-Match, 412, 409, delete", async () => {
    const { d, project, volume, id } = target();
    const volumes = d.collection<VolumeObject, VolumeWrite>("storage-pools/default/volumes/custom");
    await volumes.create(project, {
      name: volume,
      description: "v",
      config: { size: "64MiB", "user.plumb.test": id },
      content_type: "filesystem",
    });
    expect((await volumes.list(project)).map((v) => v.name)).toEqual([volume]);
    const all = await volumes.listAll();
    expect(all.find((v) => v.name === volume)?.project).toBe(project);
    const got = await volumes.get(project, volume);
    expect(got.value.config.size).toBe("64MiB");
    const put = { description: "v2", config: { ...got.value.config, size: "128MiB" } };
    await volumes.update(project, volume, put, got.etag);
    expect((await volumes.get(project, volume)).value.config.size).toBe("128MiB");
    await rejects(() => volumes.update(project, volume, put, got.etag), PreconditionFailedError);
    const dup = await rejects(
      () => volumes.create(project, { name: volume, config: {} }),
      AlreadyExistsError,
    );
    expect(dup.status).toBe(409);
    await volumes.delete(project, volume);
    await rejects(() => volumes.get(project, volume), NotFoundError);
  });
}
