// Risk assessment and host-access detection, and the approvals policy reader.
import { describe, expect, it } from "vitest";
import type { Change, ObservedObject } from "../../reconcilers/model.js";
import { hostAccessOf, insideRoots } from "./host-access.js";
import { parseApprovalPolicy } from "./policy.js";
import { assessRisk } from "./risk.js";

const ROOTS = ["/srv/anklume/shares", "/srv/anklume/data"];
const ref = (name: string) => ({ kind: "instance" as const, project: "web", name });
const spec = (
  config: Record<string, string>,
  devices: Record<string, Record<string, string>> = {},
) => ({
  description: "",
  type: "container" as const,
  profiles: ["default"],
  config,
  devices,
});
const ctx = { sharedRoots: ROOTS, trustOf: (p: string) => (p === "web" ? "untrusted" : undefined) };

describe("hostAccessOf", () => {
  it("finds every way to reach the host", () => {
    const found = hostAccessOf(
      spec(
        {
          "raw.lxc": "lxc.mount.entry = / mnt/host none rbind",
          "raw.idmap": "both 0 0",
          "security.privileged": "true",
        },
        {
          root: { type: "disk", path: "/", pool: "default" },
          hostroot: { type: "disk", source: "/", path: "/mnt/host" },
          escape: { type: "disk", source: "/srv/anklume/shares/../../../etc", path: "/e" },
          share: { type: "disk", source: "/srv/anklume/shares/docs", path: "/docs" },
          tty: { type: "unix-char", source: "/dev/ttyS0" },
          blk: { type: "unix-block", source: "/dev/sda" },
          usb: { type: "usb", vendorid: "1234" },
          gpu: { type: "gpu" },
          phys: { type: "nic", nictype: "physical", parent: "eth0" },
          mv: { type: "nic", nictype: "macvlan", parent: "eth0" },
          br: { type: "nic", nictype: "bridged", parent: "net-web" },
          sock: { type: "proxy", listen: "unix:/run/d.sock", connect: "unix:/var/run/docker.sock" },
        },
      ),
      ROOTS,
    ).map((f) => f.path);
    expect(found.sort()).toEqual(
      [
        "config.raw.idmap",
        "config.raw.lxc",
        "config.security.privileged",
        "devices.blk",
        "devices.escape",
        "devices.gpu",
        "devices.hostroot",
        "devices.mv",
        "devices.phys",
        "devices.sock",
        "devices.tty",
        "devices.usb",
      ].sort(),
    );
  });

  it("an unprivileged container on a bridge with a shared volume does not reach the host", () => {
    expect(
      hostAccessOf(
        spec(
          { "security.privileged": "false", "limits.cpu": "2" },
          { d: { type: "disk", source: "/srv/anklume/shares/x", path: "/x" } },
        ),
        ROOTS,
      ),
    ).toEqual([]);
    expect(insideRoots("/srv/anklume/sharesX", ROOTS)).toBe(false);
  });
});

describe("assessRisk", () => {
  const observed = [
    {
      ref: ref("old"),
      spec: spec({ "security.protection.delete": "true" }),
      ownership: "owned",
      hash: "h",
      facts: {},
    },
  ] as unknown as ObservedObject[];

  it("marks deletes of protected instances, replaces, restarts and new host access", () => {
    const changes = [
      { id: "instance:web/old", ref: ref("old"), deps: [], action: "delete", reason: "orphan" },
      {
        id: "instance:web/new",
        ref: ref("new"),
        deps: [],
        action: "create",
        desired: spec({ "raw.idmap": "both 0 0" }),
      },
      {
        id: "instance:web/upd",
        ref: ref("upd"),
        deps: [],
        action: "update-restart",
        desired: spec({ "raw.lxc": "x", "limits.cpu": "2" }),
        fields: [{ path: "config.limits.cpu", before: "1", after: "2" }],
        drift: false,
        restartFields: ["limits.cpu"],
      },
      {
        id: "instance:web/dev",
        ref: ref("dev"),
        deps: [],
        action: "update",
        desired: spec({}, { h: { type: "disk", source: "/", path: "/h" } }),
        fields: [{ path: "devices.h", after: { type: "disk", source: "/", path: "/h" } }],
        drift: false,
      },
    ] as unknown as Change[];
    const r = assessRisk(changes, observed, ctx);
    expect(r.items.map((i) => [i.id, i.risks])).toEqual([
      ["instance:web/old", ["delete", "delete-protected"]],
      ["instance:web/new", ["host-access"]],
      // raw.lxc existed already: only the restart is new
      ["instance:web/upd", ["restart"]],
      ["instance:web/dev", ["host-access"]],
    ]);
    expect(r.items[1]?.trustLevel).toBe("untrusted");
  });
});

describe("parseApprovalPolicy", () => {
  it("reads required counts, forbidden trust levels and reviewers", () => {
    const p = parseApprovalPolicy(
      "network_policies: []\napprovals:\n  required:\n    delete: 1\n    host_access: 2\n    delete_protected: 2\n  forbid_host_access: [untrusted, disposable]\n  github_reviewers: [alice]\n",
    );
    expect(p).toEqual({
      required: { delete: 1, "host-access": 2, "delete-protected": 2 },
      forbidHostAccess: ["untrusted", "disposable"],
      githubReviewers: ["alice"],
    });
  });

  it("no section: nothing required", () => {
    expect(parseApprovalPolicy("network_policies: []\n").required).toEqual({});
    expect(parseApprovalPolicy("").required).toEqual({});
  });

  it("refuses mistakes with file:line:column", () => {
    expect(() => parseApprovalPolicy("approvals:\n  required:\n    deletes: 1\n")).toThrow(
      /policies.yml:3:5: unknown risk 'deletes'/,
    );
    expect(() => parseApprovalPolicy("approvals:\n  required:\n    delete: -1\n")).toThrow(
      /:3:13:/,
    );
    expect(() => parseApprovalPolicy("approvals:\n  forbid_host_access: [root]\n")).toThrow(
      /trust level/,
    );
  });
});
