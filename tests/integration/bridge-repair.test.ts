// A bridge left `Pending` (its create request aborted, as a kill -9 of plumb does) that the
// domain's default profile already names, with an instance whose start failed on it ("Parent
// device … doesn't exist"): Incus refuses to delete the bridge ("currently in use"). The plan
// shows the repair, the apply detaches the profile's NIC, recreates the bridge, puts the NIC
// back and starts the instance; the re-plan is empty. The state is built from the plan's own
// desired objects (what an earlier run wrote), on the real daemon.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OperationFailedError } from "../../reconcilers/drivers/incus/errors.js";
import type {
  ConfigMap,
  DeviceMap,
  IncusDriver,
  InstanceSource,
} from "../../reconcilers/drivers/incus/types.js";
import {
  abortedCreate,
  BASE,
  driver,
  incus,
  plumb,
  skip,
  teardownEstate,
  tempRepo,
  uniquePrefix,
  why,
} from "./reconcile-kit.js";

const p = uniquePrefix();
const K = `${p}k`;

interface PlanChange {
  id: string;
  action: string;
  notes?: string[];
  fields?: { path: string; before?: unknown; after?: unknown }[];
  desired?: {
    description: string;
    config: ConfigMap;
    features?: ConfigMap;
    devices?: DeviceMap;
    profiles?: string[];
  };
  create?: { source: InstanceSource };
}
const planOf = async (dir: string) =>
  (JSON.parse((await plumb(["plan", "--json"], dir)).stdout) as { changes: PlanChange[] }).changes;

describe.skipIf(skip)(
  `repair of a Pending bridge a profile uses${why}`,
  { timeout: 300_000 },
  () => {
    let d: IncusDriver;
    let dir: string;

    beforeAll(async () => {
      d = driver();
      dir = tempRepo({
        "infra.yml": `${BASE(`it-${p}`)}domains:\n  ${K}:\n    machines:\n      ${K}-1: {}\n`,
      });
      const changes = await planOf(dir);
      const byId = new Map(changes.map((c) => [c.id, c]));
      const net = byId.get(`network:default/net-${K}`)?.desired;
      const project = byId.get(`project:${K}/${K}`)?.desired;
      const profile = byId.get(`profile:${K}/default`)?.desired;
      const inst = byId.get(`instance:${K}/${K}-1`);
      if (!net || !project || !profile || !inst?.desired || !inst.create)
        throw new Error(`unexpected plan: ${changes.map((c) => c.id).join(", ")}`);
      // An earlier run: the bridge's create aborted, the project, profile and instance written.
      expect(await abortedCreate(`net-${K}`, net.config)).toContain("status: Pending");
      await d.createProject({
        name: K,
        description: project.description,
        config: { ...project.features, ...project.config },
      });
      const { etag } = await d.getProfile(K, "default");
      await d.updateProfile(K, "default", { ...profile, devices: profile.devices ?? {} }, etag);
      const started = d.createInstance(K, {
        name: `${K}-1`,
        source: inst.create.source,
        profiles: inst.desired.profiles ?? [],
        config: inst.desired.config,
        devices: inst.desired.devices ?? {},
        description: inst.desired.description,
        start: true,
      });
      await expect(started).rejects.toBeInstanceOf(OperationFailedError);
    }, 240_000);
    afterAll(async () => {
      await teardownEstate(d, dir, p);
    }, 240_000);

    it("Incus refuses to delete the bridge while the profile names it", () => {
      const del = incus("network", "delete", `net-${K}`);
      expect(del.stderr).toMatch(/in use/);
      expect(incus("list", `${K}-1`, "--project", K, "-f", "csv", "-c", "s").stdout.trim()).toBe(
        "STOPPED",
      );
    });

    it("the plan shows the repair; the apply recreates it with the NIC put back and converges", async () => {
      const changes = await planOf(dir);
      const bridge = changes.find((c) => c.id === `network:default/net-${K}`);
      expect(bridge?.action).toBe("update");
      expect(bridge?.fields).toEqual([{ path: "status", before: "Pending", after: "Created" }]);
      expect(bridge?.notes?.join(" ")).toMatch(/unfinished bridge: recreated/);
      // Its start failed inside the create: a repair, not a bare start.
      const start = changes.find((c) => c.id === `instance-state:${K}/${K}-1`);
      expect(start?.action).toBe("start");
      expect(start?.notes?.join(" ")).toMatch(/^repair: created but never started/);
      const eth0 = incus("profile", "device", "get", "default", "eth0", "network", "--project", K);
      expect(eth0.stdout.trim()).toBe(`net-${K}`);
      const r = await plumb(["apply", "--yes", "--lock-timeout", "120"], dir);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.stdout + r.stderr).toMatch(/NICs of profile .*default detached and put back/);
      expect(incus("network", "show", `net-${K}`).stdout).toContain("status: Created");
      const back = incus("profile", "device", "get", "default", "eth0", "network", "--project", K);
      expect(back.stdout.trim()).toBe(`net-${K}`);
      expect(incus("list", `${K}-1`, "--project", K, "-f", "csv", "-c", "s").stdout.trim()).toBe(
        "RUNNING",
      );
      expect((await plumb(["plan", "--detailed-exitcode"], dir)).code).toBe(0);
    });
  },
);
