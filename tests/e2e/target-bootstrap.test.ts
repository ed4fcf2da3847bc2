// End-to-end: `plumb target bootstrap` (the built CLI) on a `type: server` machine — a real Debian
// sshd container on an isolated test bridge (tests/integration/server-target-kit.ts) — and on an
// Incus instance (a plumb-debian container in the domain's project). Needs the Incus sandbox with
// the ssh image (scripts/incus-sandbox.sh up --with-debian --with-ssh); CI always has it.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skip } from "../integration/reconcile-kit.js";
import {
  haveSshImage,
  incus,
  type SshLab,
  type SshServer,
  sshLab,
} from "../integration/server-target-kit.js";
import { runPlumbSync } from "../kit/cli.js";

const REPO = join(import.meta.dirname, "..", "..");
const ready = !skip && (haveSshImage() || Boolean(process.env.CI));
const why = ready
  ? ""
  : " (skipped: no Incus or no plumb-debian-ssh image; scripts/incus-sandbox.sh up --with-ssh)";

describe.skipIf(!ready)(`plumb target bootstrap${why}`, { timeout: 180_000 }, () => {
  let lab: SshLab;
  let srv: SshServer;
  let root: string;
  let project: string;
  const plumb = (args: string[]) =>
    runPlumbSync(["--root", root, ...args], {
      cwd: root,
      env: {
        HOME: root,
        PLUMB_SSH_CONFIG: join(lab.dir, "ssh_config"),
        PLUMB_IMAGE_MAP: "images:debian/13=plumb-debian",
      },
    });
  const infra = (hostKey: string, address = srv.endpoint.address) =>
    `project_name: t\nglobal: {addressing: {base_octet: 10}, default_os_image: "images:debian/13"}\ndomains:\n  ${project}:\n    machines:\n      ${project}-i1: {}\n      ${srv.container}:\n        type: server\n        address: ${address}\n        ssh: {host_key: "${hostKey}"}\n        contracts:\n          - {template: motd, inputs: {banner: "hello", owner: ops}}\n`;

  beforeAll(async () => {
    lab = sshLab();
    srv = await lab.server(10);
    project = `${lab.prefix}p`;
    root = mkdtempSync(join(tmpdir(), "plumb-target-e2e-"));
    cpSync(join(REPO, "templates"), join(root, "templates"), { recursive: true });
    cpSync(join(REPO, "templates.lock"), join(root, "templates.lock"));
    writeFileSync(join(root, "infra.yml"), infra(srv.endpoint.hostKey));
    for (const args of [
      ["keys", "generate", "--out", join(root, "k1")],
      ["keys", "init", "--pub", join(root, "k1.pub"), "--org", "acme", "--principal", "alice"],
      ["keys", "sign-keyring", "--key", join(root, "k1")],
      ["templates", "sign", "--key", join(root, "k1")],
    ]) {
      const r = plumb(args);
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(() => {
    if (project) {
      incus("delete", "--force", `${project}-i1`, "--project", project);
      incus("project", "delete", project);
    }
    lab?.destroy();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("a server: --dry-run changes nothing, then installed, then current", () => {
    const dry = plumb(["target", "bootstrap", srv.container, "--dry-run", "--json"]);
    expect(dry.code, dry.stderr).toBe(0);
    const d = JSON.parse(dry.stdout);
    expect(d).toMatchObject({
      ok: true,
      kind: "server",
      outcome: "installed",
      dry_run: true,
      keyring_version: 1,
    });
    expect(d.steps).toContainEqual({ path: "/var/lib/plumb/state", action: "init-state" });
    expect(srv.sh("test -e /etc/plumb").code).not.toBe(0);

    const first = plumb(["target", "bootstrap", srv.container, "--json"]);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      outcome: "installed",
      previous_keyring_version: null,
    });
    expect(srv.sh("cat /var/lib/plumb/state").stdout).toBe("1 0\n");
    expect(srv.sh("grep -c keyring_sha256= /etc/plumb/trust/policy").stdout).toBe("1\n");

    const again = plumb(["target", "bootstrap", srv.container]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("already current");
  });

  it("a server whose declared host key is wrong: PLB790, exit 1, nothing changed", () => {
    writeFileSync(join(root, "infra.yml"), infra(`SHA256:${"Z".repeat(43)}`));
    try {
      srv.sh("rm -f /etc/plumb/trust/revoked_keys");
      const r = plumb(["target", "bootstrap", srv.container]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("PLB790");
      expect(srv.sh("test -e /etc/plumb/trust/revoked_keys").code).not.toBe(0);
    } finally {
      writeFileSync(join(root, "infra.yml"), infra(srv.endpoint.hostKey));
    }
  });

  it("an unknown machine is PLB796", () => {
    const r = plumb(["target", "bootstrap", "no-such-machine"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("PLB796");
  });

  it("plan reads the server's live contract state over SSH: new, then up to date, unreachable", () => {
    const serverRuns = (args: string[]) => {
      const r = plumb(["plan", "--json", ...args]);
      if (r.code !== 0 && r.code !== 2)
        throw new Error(`plan exited ${r.code}: ${r.stderr}${r.stdout}`);
      return (
        JSON.parse(r.stdout).contracts as {
          machine: string;
          hash: string;
          liveHash: string | null;
          action: string;
          reason: string;
        }[]
      ).filter((c) => c.machine === srv.container);
    };
    const [first] = serverRuns([]);
    expect(first).toMatchObject({ action: "run", reason: "new", liveHash: null });
    // What delivery records after SUCCESS: the hash in /var/lib/plumb/contracts/<name>.hash.
    srv.sh(
      `mkdir -p /var/lib/plumb/contracts && printf '%s\\n' '${first?.hash}' > /var/lib/plumb/contracts/motd.hash`,
    );
    expect(serverRuns([])[0]).toMatchObject({
      action: "none",
      reason: "up to date",
      liveHash: first?.hash,
    });
    expect(serverRuns(["--no-targets"])[0]).toMatchObject({
      action: "run",
      reason: "not read (--no-targets)",
    });
    writeFileSync(join(root, "infra.yml"), infra(srv.endpoint.hostKey, `${lab.net}.99`));
    try {
      expect(serverRuns([])[0]).toMatchObject({
        action: "run",
        reason: "unknown state (unreachable)",
      });
    } finally {
      writeFileSync(join(root, "infra.yml"), infra(srv.endpoint.hostKey));
    }
  });

  it("an Incus instance: bootstrapped through the Incus API (no SSH)", () => {
    expect(
      incus(
        "project",
        "create",
        project,
        "-c",
        "features.images=false",
        "-c",
        "features.profiles=false",
      ).code,
    ).toBe(0);
    const l = incus("launch", "plumb-debian", `${project}-i1`, "--project", project);
    expect(l.code, l.stderr).toBe(0);
    const r = plumb(["target", "bootstrap", `${project}-i1`, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: "instance", outcome: "installed" });
    const st = incus(
      "exec",
      `${project}-i1`,
      "--project",
      project,
      "--",
      "stat",
      "-c",
      "%U %a",
      "/etc/plumb/trust/plumb-verify",
      "/var/lib/plumb/state",
    );
    expect(st.stdout).toBe("root 755\nroot 600\n");
    const again = plumb(["target", "bootstrap", `${project}-i1`, "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: "current", steps: [] });
  });
});
