import jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { buildEstate } from "../../core/model/estate.js";
import { minimalEstate, validateValue } from "../../tests/kit/infra.js";
import { renderAnsibleTree } from "./render.js";

function treeOf(value: unknown) {
  const r = validateValue(value);
  if (!r.ok || r.document === undefined)
    throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return renderAnsibleTree(buildEstate(r.document));
}

function vars(tree: ReturnType<typeof treeOf>, path: string): Record<string, unknown> {
  const body = tree.files.get(path);
  if (body === undefined) throw new Error(`${path} not rendered`);
  return jsyaml.load(body) as Record<string, unknown>;
}

// anklume's key order per file (docs/generator.md, keys per file); present keys keep it.
const ALL_KEYS = [
  "project_name",
  "addressing",
  "base_subnet",
  "default_os_image",
  "psot_default_connection",
  "psot_default_user",
  "incus_all_images",
  "network_policies",
];
const GROUP_KEYS = [
  "domain_name",
  "domain_description",
  "domain_ephemeral",
  "domain_trust_level",
  "domain_ai_provider",
  "domain_ai_sanitize",
  "incus_project",
  "incus_network",
  "subnet_id",
  "incus_profiles",
];
const HOST_KEYS = [
  "instance_name",
  "instance_type",
  "instance_description",
  "instance_domain",
  "instance_ephemeral",
  "instance_os_image",
  "instance_ip",
  "instance_gpu",
  "instance_profiles",
  "instance_config",
  "instance_devices",
  "instance_storage_volumes",
  "instance_roles",
  "instance_boot_autostart",
  "instance_boot_priority",
  "instance_snapshots_schedule",
  "instance_snapshots_expiry",
];
const inOrder = (keys: string[], order: string[]) =>
  expect(keys).toEqual(order.filter((k) => keys.includes(k)));

const full = {
  project_name: "p",
  global: {
    addressing: { base_octet: 10 },
    default_os_image: "images:debian/13",
    default_connection: "community.general.incus",
    default_user: "root",
  },
  domains: {
    web: {
      description: "Web",
      profiles: { big: { config: { "limits.memory": "4GiB" } } },
      machines: {
        "web-1": {
          description: "one",
          gpu: false,
          profiles: ["default", "big"],
          config: { "limits.cpu": "2" },
          devices: {},
          storage_volumes: { data: { pool: "default", size: "10GiB", path: "/data" } },
          roles: ["nginx"],
          boot_autostart: true,
          boot_priority: 10,
          snapshots_schedule: "0 2 * * *",
          snapshots_expiry: "7d",
        },
        "web-2": {},
      },
    },
    empty: {},
  },
  network_policies: [{ from: "web", to: "empty", ports: [80], protocol: "tcp" }],
};

describe("renderAnsibleTree", () => {
  it("renders anklume's paths: all.yml, then inventory, group_vars, host_vars per domain", () => {
    expect([...treeOf(full).files.keys()]).toEqual([
      "group_vars/all.yml",
      "group_vars/empty.yml",
      "group_vars/web.yml",
      "host_vars/web-1.yml",
      "host_vars/web-2.yml",
      "inventory/empty.yml",
      "inventory/web.yml",
    ]);
  });

  it("writes each file's keys in anklume's order, dropping absent ones", () => {
    const t = treeOf(full);
    inOrder(Object.keys(vars(t, "group_vars/all.yml")), ALL_KEYS);
    inOrder(Object.keys(vars(t, "group_vars/web.yml")), GROUP_KEYS);
    expect(Object.keys(vars(t, "host_vars/web-1.yml"))).toEqual(HOST_KEYS);
    expect(Object.keys(vars(t, "host_vars/web-2.yml"))).toEqual([
      "instance_name",
      "instance_type",
      "instance_description",
      "instance_domain",
      "instance_ephemeral",
      "instance_os_image",
      "instance_ip",
    ]);
  });

  it("keeps false and {} as declared", () => {
    const h = vars(treeOf(full), "host_vars/web-1.yml");
    expect(h.instance_gpu).toBe(false);
    expect(h.instance_devices).toEqual({});
  });

  it("stores default_connection/default_user as psot_*, never as ansible_*", () => {
    const t = treeOf(full);
    expect(vars(t, "group_vars/all.yml")).toMatchObject({
      psot_default_connection: "community.general.incus",
      psot_default_user: "root",
    });
    for (const body of t.files.values()) expect(body).not.toMatch(/ansible_(connection|user)/);
  });

  it("shapes inventories as all.children.<domain>.hosts, null when a domain has no machine", () => {
    const t = treeOf(full);
    const ips = buildEstate(validateValue(full).document as never).machines;
    expect(vars(t, "inventory/web.yml")).toEqual({
      all: {
        children: {
          web: {
            hosts: Object.fromEntries(ips.map((m) => [m.name, { ansible_host: m.ip }])),
          },
        },
      },
    });
    expect(vars(t, "inventory/empty.yml")).toEqual({
      all: { children: { empty: { hosts: null } } },
    });
  });

  it("gives group_vars the network and the profiles", () => {
    const g = vars(treeOf(full), "group_vars/web.yml");
    expect(g.incus_network).toEqual({
      name: "net-web",
      subnet: "10.120.1.0/24",
      gateway: "10.120.1.254",
    });
    expect(g.incus_profiles).toEqual(full.domains.web.profiles);
    expect(vars(treeOf(full), "group_vars/empty.yml").incus_profiles).toBeUndefined();
  });

  it("writes nothing for a disabled domain, yet knows its names (they are not orphans)", () => {
    const t = treeOf(minimalEstate({ on: {}, off: { enabled: false, machines: { sleepy: {} } } }));
    expect([...t.files.keys()].filter((p) => p.includes("off") || p.includes("sleepy"))).toEqual(
      [],
    );
    expect(t.domains.has("off")).toBe(true);
    expect(t.machines.has("sleepy")).toBe(true);
  });

  it("writes nothing at all, not even all.yml, without domains", () => {
    expect(treeOf(minimalEstate({})).files.size).toBe(0);
  });

  it("leaves a host without ansible_host when legacy mode gives it no IP", () => {
    const t = treeOf({
      project_name: "p",
      global: { base_subnet: "10.200" },
      domains: { lab: { subnet_id: 4, machines: { box: {} } } },
    });
    expect(vars(t, "inventory/lab.yml")).toEqual({
      all: { children: { lab: { hosts: { box: null } } } },
    });
    expect(vars(t, "group_vars/all.yml").base_subnet).toBe("10.200");
    expect(vars(t, "host_vars/box.yml").instance_ip).toBeUndefined();
  });
});
