// Shared by the reconcile suites on the real daemon: temporary estates with unique names, the
// built CLI as a child process, the incus CLI for cross-checks, and cleanup by name prefix.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { connectIncus, defaultSocketPath } from "../../reconcilers/drivers/incus/connect.js";
import type { IncusDriver } from "../../reconcilers/drivers/incus/types.js";
import { removeAuditAnchors } from "../kit/audit-anchors.js";

export const REPO = join(import.meta.dirname, "..", "..");
export const PLUMB = join(REPO, "dist", "cli", "main.js");
export const socket = defaultSocketPath(process.env);
export const skip = !process.env.CI && !existsSync(socket);
export const why = skip
  ? ` (skipped: no Incus socket at ${socket}; run scripts/incus-sandbox.sh up, CI always runs these)`
  : "";

/** Test bridges have no addresses and tests use the busybox image (never a network image). */
export const SANDBOX_ENV: NodeJS.ProcessEnv = {
  NO_COLOR: "1",
  PLUMB_BRIDGE_ADDRESSES: "none",
  PLUMB_IMAGE_MAP: "images:debian/13=plumb-busybox",
  // Other suites may be applying at the same moment: wait for their lock rather than fail.
  PLUMB_LOCK_TIMEOUT: "600",
};

/** Short and unique: domain names are at most 11 characters (bridges `net-<domain>` ≤ 15). */
export function uniquePrefix(): string {
  return `t${Math.random().toString(36).slice(2, 7)}`;
}

export function writeRepo(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

export function tempRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "plumb-it-"));
  writeRepo(dir, files);
  return dir;
}

export interface Ran {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly pid: number;
}

/** The built CLI as a child process (asynchronous, so several can run at once). */
export function plumbAsync(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [PLUMB, ...args], {
    cwd,
    env: { ...process.env, ...SANDBOX_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const done = new Promise<Ran>((resolve) =>
    child.on("close", (code, signal) =>
      resolve({ code, signal, stdout, stderr, pid: child.pid ?? 0 }),
    ),
  );
  return { child, done };
}

export function plumb(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Ran> {
  return plumbAsync(args, cwd, env).done;
}

/** The incus CLI, for cross-checks the tests make on their own. */
export function incus(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync("incus", args, { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function driver(): IncusDriver {
  return connectIncus({ kind: "unix", socketPath: socket });
}

/**
 * Deletes every instance, profile, project, network and ACL whose name starts with `prefix` —
 * whether plumb owns it or not (the test made them all). Best effort, children first.
 */
export async function cleanupPrefix(d: IncusDriver, prefix: string): Promise<void> {
  const quiet = (p: Promise<unknown>) => p.catch(() => undefined);
  const projects = (await d.listProjects()).filter(
    (p) => p.name.startsWith(prefix) || p.name === "default",
  );
  for (const p of projects) {
    for (const i of await d.listInstances(p.name).catch(() => [])) {
      if (!i.name.startsWith(prefix) && p.name === "default") continue;
      if (i.config["security.protection.delete"] === "true") {
        await quiet(
          d.getInstance(p.name, i.name).then(({ value, etag }) => {
            const { "security.protection.delete": _x, ...config } = value.config;
            return d.updateInstance(p.name, i.name, { ...value, config }, etag);
          }),
        );
      }
      await quiet(d.setInstanceState(p.name, i.name, "stop", { force: true }));
      await quiet(d.deleteInstance(p.name, i.name));
    }
    if (p.name === "default") continue;
    const volumes = d.collection<{ name: string }, unknown>("storage-pools/default/volumes/custom");
    for (const v of await volumes.list(p.name).catch(() => []))
      await quiet(volumes.delete(p.name, v.name));
    for (const pr of await d.listProfiles(p.name).catch(() => [])) {
      if (pr.name !== "default") await quiet(d.deleteProfile(p.name, pr.name));
    }
    await quiet(d.deleteProject(p.name));
  }
  for (const n of await d.listNetworks("default").catch(() => [])) {
    if (n.name.startsWith(`net-${prefix}`)) await quiet(d.deleteNetwork("default", n.name));
  }
  const acls = d.collection<{ name: string }, unknown>("network-acls");
  for (const a of await acls.list("default").catch(() => [])) {
    if (a.name.startsWith(`net-${prefix}`)) await quiet(acls.delete("default", a.name));
  }
  await quiet(removeAuditAnchors(d, prefix));
}

/**
 * The end of every suite that applies an estate: the estate flushed, whatever is left under the
 * suite's prefix removed (a failed test may leave objects plumb does not own), the driver closed.
 */
export async function teardownEstate(
  d: IncusDriver,
  dir: string,
  prefix: string,
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  await plumb(["flush", "--force"], dir, env).catch(() => undefined);
  await cleanupPrefix(d, prefix);
  d.close();
}

export const BASE = (name: string, extra = "") =>
  `project_name: ${name}\nglobal:\n  addressing: {base_octet: 10, zone_base: 100}\n  default_os_image: images:debian/13\n${extra}`;

/**
 * POSTs a bridge and drops the connection after `ms`: Incus keeps the record `Pending`. Too early
 * and nothing reached the daemon; too late and it was created: then it is removed and retried.
 */
export async function abortedCreate(name: string, config: Record<string, string>): Promise<string> {
  for (const ms of [5, 10, 20, 40, 80, 160]) {
    await new Promise<void>((resolve) => {
      const req = http.request({
        socketPath: socket,
        method: "POST",
        path: "/1.0/networks",
        headers: { "content-type": "application/json" },
      });
      req.on("error", () => undefined);
      req.end(JSON.stringify({ name, type: "bridge", config }));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, ms);
    });
    await new Promise((r) => setTimeout(r, 1500));
    const shown = incus("network", "show", name).stdout;
    if (shown.includes("status: Pending")) return shown;
    if (shown !== "") incus("network", "delete", name);
  }
  return "";
}
