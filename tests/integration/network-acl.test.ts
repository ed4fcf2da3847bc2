// network_policies enforced by Incus on the real daemon: two domains on bridges WITH addresses
// (an isolated test subnet, legacy addressing 10.251.<n>.0/24), one busybox container in each.
// The policy lets a-1 reach domain b on tcp/22: that flow passes; tcp/80 to b and anything from b
// to a is dropped by the bridges' ACLs (default ingress drop). A policy `to: host` lets a-1 reach
// a listener of the host on its bridge address on one port; another port, and b-1 (no such
// policy), are dropped (default egress drop). A policy inside domain a is only noted (Incus does
// not filter within a bridge). Removing the policy closes the port again; flush removes the ACLs
// with the bridges.
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncusDriver } from "../../reconcilers/drivers/incus/types.js";
import {
  driver,
  incus,
  plumb,
  skip,
  teardownEstate,
  tempRepo,
  uniquePrefix,
  why,
  writeRepo,
} from "./reconcile-kit.js";

const p = uniquePrefix();
const A = `${p}a`;
const B = `${p}b`;
// Two /24s of 10.251.0.0/16 no other suite of this repository uses at the same time.
const netA = 10 + Math.floor(Math.random() * 200);
const netB = netA + 1;
const ipA = `10.251.${netA}.11`;
const ipB = `10.251.${netB}.11`;
const ENV = { PLUMB_BRIDGE_ADDRESSES: "declared" };
const gwA = `10.251.${netA}.254`;
const gwB = `10.251.${netB}.254`;
// Host ports the test's own listener uses on the test bridges' gateways: one allowed, one not.
const HOST_OPEN = 20_000 + Math.floor(Math.random() * 20_000);
const HOST_SHUT = HOST_OPEN + 1;

const estate = (policies: string) => `project_name: it-${p}
global:
  base_subnet: "10.251"
  default_os_image: images:debian/13
domains:
  ${A}:
    subnet_id: ${netA}
    machines:
      ${A}-1: {ip: ${ipA}}
  ${B}:
    subnet_id: ${netB}
    machines:
      ${B}-1: {ip: ${ipB}}
${policies}`;

const POLICY = `network_policies:
  - {description: a-1 reaches b over ssh, from: ${A}-1, to: ${B}, ports: [22], protocol: tcp}
  - {description: a-1 reaches the host, from: ${A}-1, to: host, ports: [${HOST_OPEN}], protocol: tcp}
  - {description: inside a, from: ${A}-1, to: ${A}, ports: [80], protocol: tcp}
`;

/** A listener in its own process (the tests block on incus exec) on the gateways' ports. */
function hostListener(): ChildProcess {
  const script = `const net=require("node:net");for(const h of ${JSON.stringify([gwA, gwB])})for(const p of ${JSON.stringify([HOST_OPEN, HOST_SHUT])})net.createServer(s=>s.end("open\\n")).listen(p,h);`;
  return spawn(process.execPath, ["-e", script], { stdio: "ignore" });
}

/** Runs a shell line in a container (busybox sh). */
const sh = (project: string, name: string, line: string) =>
  incus("exec", name, "--project", project, "--", "sh", "-c", line);

/** Static address and default route (busybox runs no DHCP client of its own). */
function address(project: string, name: string, ip: string, gateway: string) {
  const r = sh(
    project,
    name,
    `ip addr add ${ip}/24 dev eth0; ip link set eth0 up; ip route add default via ${gateway}`,
  );
  expect(r.code, r.stderr).toBe(0);
}

/** Listeners on 22 and 80 that answer "open" to every connection. */
function listen(project: string, name: string) {
  for (const port of [22, 80]) {
    const r = incus(
      "exec",
      name,
      "--project",
      project,
      "--",
      "sh",
      "-c",
      `(while true; do nc -l -p ${port} -e echo open; done) </dev/null >/dev/null 2>&1 &`,
    );
    expect(r.code, r.stderr).toBe(0);
  }
}

/** True when a TCP connection from the container to ip:port got the listener's answer. */
function reaches(project: string, name: string, ip: string, port: number): boolean {
  return sh(project, name, `echo hi | nc -w 3 ${ip} ${port}`).stdout.includes("open");
}

describe.skipIf(skip)(`network policies as Incus ACLs${why}`, { timeout: 300_000 }, () => {
  let d: IncusDriver;
  let dir: string;
  let listener: ChildProcess | undefined;
  let planned: { id: string; notes?: string[] }[] = [];

  beforeAll(async () => {
    d = driver();
    dir = tempRepo({ "infra.yml": estate(POLICY) });
    planned = JSON.parse((await plumb(["plan", "--json"], dir, ENV)).stdout).changes;
    const r = await plumb(["apply", "--yes", "--lock-timeout", "120"], dir, ENV);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    address(A, `${A}-1`, ipA, `10.251.${netA}.254`);
    address(B, `${B}-1`, ipB, `10.251.${netB}.254`);
    listen(A, `${A}-1`);
    listen(B, `${B}-1`);
    listener = hostListener();
    await new Promise((r) => setTimeout(r, 1000));
  }, 240_000);
  afterAll(async () => {
    listener?.kill();
    await teardownEstate(d, dir, p, ENV);
  }, 240_000);

  it("attaches one ACL per bridge: default ingress drop, the policy as an allow rule", () => {
    const bridge = incus("network", "show", `net-${B}`).stdout;
    expect(bridge).toContain(`security.acls: net-${B}`);
    expect(bridge).toContain("security.acls.default.ingress.action: drop");
    const acl = incus("network", "acl", "show", `net-${B}`).stdout;
    expect(acl).toContain(`source: ${ipA}/32`);
    expect(acl).toContain('destination_port: "22"');
  });

  it("the allowed flow passes; every other flow between the domains is dropped", () => {
    // Both listeners answer locally: a refusal below is the firewall, not a missing listener.
    expect(reaches(B, `${B}-1`, "127.0.0.1", 80)).toBe(true);
    expect(reaches(A, `${A}-1`, "127.0.0.1", 22)).toBe(true);
    expect(reaches(A, `${A}-1`, ipB, 22)).toBe(true);
    expect(reaches(A, `${A}-1`, ipB, 80)).toBe(false);
    expect(reaches(B, `${B}-1`, ipA, 22)).toBe(false);
  });

  it("to: host: a-1 reaches the host on the allowed port only; b-1 not at all", () => {
    expect(reaches(A, `${A}-1`, gwA, HOST_OPEN)).toBe(true);
    expect(reaches(A, `${A}-1`, gwA, HOST_SHUT)).toBe(false);
    expect(reaches(B, `${B}-1`, gwB, HOST_OPEN)).toBe(false);
    const acl = incus("network", "acl", "show", `net-${A}`).stdout;
    expect(acl).toContain(`destination_port: "${HOST_OPEN}"`);
  });

  it("a policy inside one domain is noted, not written (Incus does not filter within a bridge)", () => {
    const a = planned.find((c) => c.id === `network-acl:default/net-${A}`);
    expect(a?.notes?.join(" ")).toMatch(
      /stays inside domain .*do not filter traffic within one bridge/,
    );
    expect(incus("network", "acl", "show", `net-${A}`).stdout).not.toContain(
      'destination_port: "80"',
    );
  });

  it("a re-plan is empty; removing the policies is an ACL update that closes the ports", async () => {
    const again = await plumb(["plan", "--detailed-exitcode"], dir, ENV);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    writeRepo(dir, { "infra.yml": estate("") });
    const plan = await plumb(["plan", "--json"], dir, ENV);
    const changes = (JSON.parse(plan.stdout) as { changes: { id: string; action: string }[] })
      .changes;
    expect(changes.map((c) => `${c.action} ${c.id}`).sort()).toEqual([
      `update network-acl:default/net-${A}`,
      `update network-acl:default/net-${B}`,
    ]);
    const r = await plumb(["apply", "--yes", "--lock-timeout", "120"], dir, ENV);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(reaches(A, `${A}-1`, ipB, 22)).toBe(false);
    expect(reaches(A, `${A}-1`, gwA, HOST_OPEN)).toBe(false);
  });
});
