// Test kit for `type: server` targets: a container from the `plumb-debian-ssh` image (Debian's real
// OpenSSH server) on a bridge the test creates with an isolated test subnet (10.251.<n>.0/24, the
// host side holds .1, no NAT, no DHCP), a test key in root's authorized_keys, and the container's
// real host key fingerprint read out of band (incus exec, like a console). Everything it creates
// carries one random prefix and is removed by destroy().
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SshEndpoint } from "../../reconcilers/delivery/ssh/endpoint.js";
import type { SshOptions } from "../../reconcilers/delivery/ssh/transport.js";

export const SSH_IMAGE = "plumb-debian-ssh";

export function incus(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync("incus", args, { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function must(...args: string[]): string {
  let r = incus(...args);
  // The daemon is shared: a create can fail on another test's vanishing veth; try again.
  for (let i = 0; i < 2 && r.code !== 0 && /does not exist|already exists/.test(r.stderr); i++) {
    if (args[0] === "network" && args[1] === "create")
      incus("network", "delete", args[2] as string);
    r = incus(...args);
  }
  if (r.code !== 0) throw new Error(`incus ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** Deletes a network, retrying while the shared daemon still tears down a veth (a known race). */
function deleteNetwork(name: string): void {
  for (let i = 0; i < 10; i++) {
    const r = incus("network", "delete", name);
    if (r.code === 0 || /not found/i.test(r.stderr)) return;
    spawnSync("sleep", ["0.5"]);
  }
}

export const haveSshImage = (): boolean =>
  incus("image", "alias", "list", "--format", "csv")
    .stdout.split("\n")
    .some((l) => l.split(",")[0] === SSH_IMAGE);

export interface SshLab {
  readonly prefix: string;
  readonly bridge: string;
  /** The /24 as "10.251.<n>". */
  readonly net: string;
  /** The scratch directory: id (test key), ssh_config, repo/.plumb/ssh. */
  readonly dir: string;
  readonly options: SshOptions;
  /** The /24 of the hidden bridge (no address on this host) as "10.251.<m>". */
  readonly hiddenNet: string;
  /**
   * Launches a server container and returns its endpoint: at 10.251.<n>.<host> on the lab bridge,
   * or with `hidden` only on a second bridge this host has no address on (reachable through a
   * bastion); `alsoHidden` gives it a second interface there too (a bastion).
   */
  server(
    host: number,
    o?: { name?: string; hidden?: boolean; alsoHidden?: number },
  ): Promise<SshServer>;
  /** Lets the test's ssh config trust `server` as a jump host (its own known_hosts entry). */
  trustAsBastion(server: SshServer): void;
  destroy(): void;
}

export interface SshServer {
  readonly container: string;
  readonly endpoint: SshEndpoint;
  /** Runs a shell line in the container (out of band, not over ssh). */
  sh(line: string): { code: number | null; stdout: string; stderr: string };
  /** Successful SSH authentications so far (sshd's log): one per connection made. */
  logins(): number;
}

export function sshLab(): SshLab {
  const prefix = `plsh${Math.random().toString(36).slice(2, 7)}`;
  const n = 10 + Math.floor(Math.random() * 230);
  const net = `10.251.${n}`;
  const bridge = `${prefix}br`;
  const hidden = `${prefix}hb`;
  const hiddenNet = `10.251.${n + 1}`;
  let hiddenMade = false;
  const hiddenBridge = () => {
    if (!hiddenMade) must("network", "create", hidden, "ipv4.address=none", "ipv6.address=none");
    hiddenMade = true;
    return hidden;
  };
  const baseConfig = (dir: string) =>
    `Host *\n  IdentityFile ${join(dir, "id")}\n  IdentitiesOnly yes\n  IdentityAgent none\n`;
  let bastions = "";
  const dir = mkdtempSync(join(tmpdir(), "plumb-ssh-it-"));
  const containers: string[] = [];
  spawnSync("ssh-keygen", [
    "-q",
    "-t",
    "ed25519",
    "-N",
    "",
    "-C",
    "plumb-test",
    "-f",
    join(dir, "id"),
  ]);
  writeFileSync(join(dir, "ssh_config"), baseConfig(dir));
  mkdirSync(join(dir, "repo/.plumb/ssh"), { recursive: true });
  try {
    must(
      "network",
      "create",
      bridge,
      `ipv4.address=${net}.1/24`,
      "ipv4.nat=false",
      "ipv4.dhcp=false",
      "ipv6.address=none",
    );
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const authorized = readFileSync(join(dir, "id.pub"), "utf8");
  return {
    prefix,
    bridge,
    net,
    hiddenNet,
    dir,
    options: { sshDir: join(dir, "repo/.plumb/ssh"), configFile: join(dir, "ssh_config") },
    async server(host, o = {}) {
      const name = o.name ?? `${prefix}-s${host}`;
      must("init", SSH_IMAGE, name);
      containers.push(name);
      const first = o.hidden ? hiddenBridge() : bridge;
      const net0 = o.hidden ? hiddenNet : net;
      must("config", "device", "add", name, "eth0", "nic", `network=${first}`, "name=eth0");
      if (o.alsoHidden !== undefined)
        must(
          "config",
          "device",
          "add",
          name,
          "eth1",
          "nic",
          `network=${hiddenBridge()}`,
          "name=eth1",
        );
      must("start", name);
      const sh = (line: string) => incus("exec", name, "--", "sh", "-c", line);
      const up = sh(
        `ip addr add ${net0}.${host}/24 dev eth0 && ip link set eth0 up && mkdir -p -m 0700 /root/.ssh${
          o.alsoHidden === undefined
            ? ""
            : ` && ip addr add ${hiddenNet}.${o.alsoHidden}/24 dev eth1 && ip link set eth1 up`
        }`,
      );
      const auth = spawnSync(
        "incus",
        ["exec", name, "--", "sh", "-c", "umask 077 && cat > /root/.ssh/authorized_keys"],
        {
          input: authorized,
          encoding: "utf8",
        },
      );
      if (up.code !== 0 || auth.status !== 0)
        throw new Error(`setting up ${name}: ${up.stderr}${auth.stderr}`);
      let fp = "";
      for (let i = 0; i < 100 && !fp; i++) {
        const r = sh("test -e /run/sshd.pid && ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub");
        fp = r.code === 0 ? (r.stdout.split(" ")[1] ?? "") : "";
        if (!fp) await new Promise((res) => setTimeout(res, 100));
      }
      if (!fp) throw new Error(`${name}: sshd did not come up`);
      return {
        container: name,
        endpoint: {
          machine: name,
          address: `${net0}.${host}`,
          user: "root",
          port: 22,
          hostKey: fp,
        },
        sh,
        logins: () =>
          (sh("cat /var/log/sshd.log").stdout.match(/Accepted publickey/g) ?? []).length,
      };
    },
    trustAsBastion(b) {
      const pub = b
        .sh("cat /etc/ssh/ssh_host_ed25519_key.pub")
        .stdout.split(" ")
        .slice(0, 2)
        .join(" ");
      const kh = join(dir, `bastion-${b.container}`);
      writeFileSync(kh, `${b.endpoint.address} ${pub}\n`);
      bastions += `Host ${b.endpoint.address}\n  UserKnownHostsFile ${kh}\n  StrictHostKeyChecking yes\n  BatchMode yes\n`;
      writeFileSync(join(dir, "ssh_config"), bastions + baseConfig(dir));
    },
    destroy() {
      for (const c of containers) incus("delete", "--force", c);
      deleteNetwork(bridge);
      if (hiddenMade) deleteNetwork(hidden);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
