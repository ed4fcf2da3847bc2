// `type: server` machines in the resolved estate: their SSH endpoint with defaults, their
// contracts; no Incus object and no allocated address; an Ansible host at its own address.
import { describe, expect, it } from "vitest";
import { renderAnsibleTree } from "../../generators/ansible/render.js";
import { buildDesired } from "../../reconcilers/desired.js";
import { validateValue } from "../../tests/kit/infra.js";
import { computeAddressing } from "./addressing.js";
import { buildEstate } from "./estate.js";
import type { InfraDocument } from "./infra.js";

const KEY = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
const doc = {
  project_name: "t",
  global: { addressing: { base_octet: 10, zone_base: 100 } },
  domains: {
    web: {
      machines: {
        "db-1": { type: "server", address: "192.0.2.10", ssh: { host_key: KEY } },
        "web-1": { contracts: [{ template: "motd", inputs: { message: "hi" } }] },
        "db-2": {
          type: "server",
          address: "db2.example",
          ssh: { user: "ops", port: 2222, jump: "bastion", host_key: KEY },
          contracts: [{ template: "motd", name: "banner", revision: 3 }],
        },
      },
    },
  },
} as unknown as InfraDocument;

describe("server machines in the estate", () => {
  it("validates", () => {
    expect(validateValue(doc).ok).toBe(true);
  });

  it("carries the SSH endpoint with defaults and the contracts with their default name", () => {
    const e = buildEstate(doc);
    const byName = new Map(e.machines.map((m) => [m.name, m]));

    expect(byName.get("db-1")?.server).toEqual({
      address: "192.0.2.10",
      user: "root",
      port: 22,
      jump: undefined,
      hostKey: KEY,
    });
    expect(byName.get("db-2")?.server?.port).toBe(2222);
    expect(byName.get("web-1")?.server).toBeUndefined();
    expect(byName.get("web-1")?.contracts).toEqual([
      { name: "motd", template: "motd", inputs: { message: "hi" }, revision: 0 },
    ]);
    expect(byName.get("db-2")?.contracts[0]).toMatchObject({ name: "banner", revision: 3 });
  });

  it("allocates no address to a server: the first automatic IP goes to the instance", () => {
    const a = computeAddressing(doc as unknown as Record<string, unknown>);

    expect(a.machines.map((m) => [m.machine, m.ip])).toEqual([["web-1", "10.120.0.1"]]);
    expect(buildEstate(doc).machines.find((m) => m.name === "db-1")?.ip).toBeUndefined();
  });

  it("gives a server no Incus object of any kind", () => {
    const desired = buildDesired(buildEstate(doc), {
      owner: "t",
      bridgeAddresses: "declared",
      storagePool: "default",
      vmSupported: false,
      resolveImage: () => ({ ok: true, source: { type: "image", alias: "x" } as never }),
    });
    const ids = desired.objects.map((o) => `${o.ref.kind}:${o.ref.name}`);

    expect(ids.some((id) => id.includes("db-"))).toBe(false);
    expect(ids).toContain("instance:web-1");
  });

  it("lists a server in the Ansible inventory at its own address, user and port", () => {
    const tree = renderAnsibleTree(buildEstate(doc));
    const inventory = tree.files.get("inventory/web.yml") ?? "";

    expect(inventory).toBe(
      [
        "all:",
        "  children:",
        "    web:",
        "      hosts:",
        "        db-1:",
        "          ansible_host: 192.0.2.10",
        "          ansible_user: root",
        "          ansible_port: 22",
        "        web-1:",
        "          ansible_host: 10.120.0.1",
        "        db-2:",
        "          ansible_host: db2.example",
        "          ansible_user: ops",
        "          ansible_port: 2222",
        "",
      ].join("\n"),
    );
    expect(tree.files.get("host_vars/db-1.yml")).toContain("instance_type: server");
  });
});
