// A real temporary git repository holding an estate (infra/ directory), the fake Incus (real
// HTTP on a unix socket) and the built CLI run as a child process: what the saved-plan, binding
// and approval tests share.
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { canonicalize } from "../../core/signing/canonical-json.js";
import { connectIncus } from "../../reconcilers/drivers/incus/connect.js";
import type { IncusApiDriver } from "../../reconcilers/drivers/incus/incus-api-driver.js";
import { FakeIncusServer } from "../../reconcilers/drivers/incus/testing/fake-incus-server.js";
import { sha256 } from "../../reconcilers/kit/ownership.js";

export const PLUMB = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const BASE_YML = `project_name: acme
global:
  addressing: {base_octet: 10}
  default_os_image: images:debian/13
`;

export const webDomain = (cpu = "1", extra = "") => `web:
  machines:
    web-1: {config: {limits.cpu: "${cpu}"}}
    web-2: {}${extra}
`;

export const dataDomain = (mem = "256MiB") => `data:
  machines:
    db-1: {config: {limits.memory: "${mem}"}}
`;

export class PlanRepo {
  private constructor(
    readonly dir: string,
    readonly fake: FakeIncusServer,
    readonly driver: IncusApiDriver,
  ) {}

  static async create(files: Record<string, string> = {}): Promise<PlanRepo> {
    const fake = await FakeIncusServer.start();
    const dir = mkdtempSync(join(tmpdir(), "plumb-binding-"));
    const repo = new PlanRepo(
      dir,
      fake,
      connectIncus({ kind: "unix", socketPath: fake.socketPath }),
    );
    repo.git("init", "-q", "-b", "main");
    repo.git("config", "user.email", "t@example.invalid");
    repo.git("config", "user.name", "t");
    repo.write({
      "infra/base.yml": BASE_YML,
      "infra/domains/web.yml": webDomain(),
      "infra/domains/data.yml": dataDomain(),
      ".gitignore": ".plumb/\n.state/\n/*.json\nkeyfiles/\n",
      ...files,
    });
    repo.commit("estate");
    return repo;
  }

  write(files: Record<string, string>): void {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, path)), { recursive: true });
      writeFileSync(join(this.dir, path), text);
    }
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), "utf8");
  }

  git(...args: string[]): string {
    return execFileSync("git", args, { cwd: this.dir, encoding: "utf8" }).trim();
  }

  commit(message: string): string {
    this.git("add", "-A");
    this.git("commit", "-q", "--allow-empty", "-m", message);
    return this.git("rev-parse", "HEAD");
  }

  plumb(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [PLUMB, ...args],
        {
          cwd: this.dir,
          env: {
            ...process.env,
            NO_COLOR: "1",
            INCUS_SOCKET: this.fake.socketPath,
            PLUMB_BRIDGE_ADDRESSES: "none",
            PLUMB_IMAGE_MAP: "images:debian/13=plumb-busybox",
            PLUMB_LOCK_TIMEOUT: "120",
            // Keyring pins this machine records stay inside the test.
            PLUMB_STATE_HOME: join(this.dir, ".state"),
            ...env,
          },
        },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  /** The saved plan as JSON. */
  plan(file = "plan.json"): Record<string, unknown> & { changes: Record<string, unknown>[] } {
    return JSON.parse(this.read(file));
  }

  /** Writes a plan whose digest is recomputed the way plumb computes it: a forger's plan. */
  forge(plan: Record<string, unknown>, file = "forged.json"): void {
    const { digest: _d, approvals: _a, ...rest } = plan;
    const digest = `sha256:${sha256(canonicalize(rest))}`;
    this.write({ [file]: `${JSON.stringify({ ...rest, digest }, null, 2)}\n` });
  }

  async close(): Promise<void> {
    this.driver.close();
    await this.fake.close();
  }
}
