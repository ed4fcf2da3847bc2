// The Incus instance transport: exec through the REST API (recorded output, no websocket) and
// file writes through the instance file API (raw body, uid/gid/mode headers), made atomic on the
// target by pushing to a temporary name in the same directory and renaming it (`mv -T`).
// No SSH and nothing installed on the instance beyond what the command itself needs.
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import type { ApiClient } from "../drivers/incus/api-client.js";
import { DriverError, NotFoundError, PreconditionFailedError } from "../drivers/incus/errors.js";
import type { Operation } from "../drivers/incus/types.js";
import type { PutOptions, RunOptions, RunResult, TargetTransport } from "./transport.js";

const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** The exit status `timeout` (coreutils and busybox) reports for a command it stopped. */
export const TIMEOUT_EXIT = 124;

export interface IncusTransportOptions {
  readonly api: ApiClient;
  readonly project: string;
  /** The Incus instance name. */
  readonly instance: string;
  /** The infra machine name (defaults to the instance name). */
  readonly machine?: string;
}

export class IncusTransport implements TargetTransport {
  readonly kind = "instance" as const;
  readonly machine: string;
  readonly #api: ApiClient;
  readonly #project: string;
  readonly #instance: string;

  constructor(options: IncusTransportOptions) {
    this.#api = options.api;
    this.#project = options.project;
    this.#instance = options.instance;
    this.machine = options.machine ?? options.instance;
  }

  get instance(): string {
    return this.#instance;
  }

  #url(suffix: string, query: Record<string, string> = {}): string {
    const q = new URLSearchParams({ ...query, project: this.#project });
    return `/1.0/instances/${encodeURIComponent(this.#instance)}${suffix}?${q}`;
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.exec(argv, {}, opts);
  }

  /** `run` with extra environment variables (delivery's one-call bundle; docs/delivery.md). */
  runEnv(
    argv: readonly string[],
    env: Readonly<Record<string, string>>,
    opts: RunOptions = {},
  ): Promise<RunResult> {
    return this.exec(argv, env, opts);
  }

  /** `run` with extra environment variables (the sandbox passes some). */
  async exec(
    argv: readonly string[],
    environment: Readonly<Record<string, string>> = {},
    opts: RunOptions = {},
  ): Promise<RunResult> {
    // The deadline is enforced inside the instance (the process is killed there, not abandoned);
    // the local timer only guards against a daemon that never answers.
    const seconds =
      opts.timeoutMs === undefined ? 0 : Math.max(1, Math.ceil(opts.timeoutMs / 1000));
    const command = seconds > 0 ? ["timeout", "-k", "5", String(seconds), ...argv] : [...argv];
    const call = this.#api.call("POST", this.#url("/exec"), {
      project: this.#project,
      body: {
        command,
        environment: { PATH, ...environment },
        "wait-for-websocket": false,
        "record-output": true,
        interactive: false,
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const guard =
      seconds > 0
        ? new Promise<"late">((resolve) => {
            timer = setTimeout(() => resolve("late"), seconds * 1000 + 30_000);
          })
        : undefined;
    const answer = await (guard ? Promise.race([call, guard]) : call).finally(() =>
      clearTimeout(timer),
    );
    if (answer === "late")
      return { code: TIMEOUT_EXIT, stdout: "", stderr: `no answer within ${seconds} s` };
    const op = answer.metadata as Operation;
    const meta = (op.metadata ?? {}) as { return?: number; output?: Record<string, string> };
    const [stdout, stderr] = await Promise.all([
      this.#output(meta.output?.["1"]),
      this.#output(meta.output?.["2"]),
    ]);
    return { code: meta.return ?? -1, stdout, stderr };
  }

  /** Reads one recorded output log, then deletes it (they would pile up in the instance's logs). */
  async #output(path: string | undefined): Promise<string> {
    if (!path) return "";
    const url = `${path}${path.includes("?") ? "&" : "?"}project=${encodeURIComponent(this.#project)}`;
    const res = await this.#api.transport.request({ method: "GET", path: url, timeoutMs: 30_000 });
    await this.#api.transport
      .request({ method: "DELETE", path: url, timeoutMs: 30_000 })
      .catch(() => undefined);
    return res.status === 200 ? res.body : "";
  }

  async put(path: string, bytes: Uint8Array, mode: string, opts: PutOptions = {}): Promise<void> {
    this.#checkPath(path, mode);
    const dir = posix.dirname(path);
    const temp = opts.fresh ? path : `${dir}/.plumb-put.${randomBytes(6).toString("hex")}`;
    const push = () =>
      this.#files(() =>
        this.#api.call("POST", this.#url("/files", { path: temp }), {
          project: this.#project,
          raw: {
            bytes,
            headers: {
              "X-Incus-uid": "0",
              "X-Incus-gid": "0",
              "X-Incus-mode": mode.padStart(4, "0"),
              "X-Incus-type": "file",
              "X-Incus-write": "overwrite",
            },
          },
        }),
      );
    try {
      await push();
    } catch (e) {
      // The file API answers 404 when the parent directory is missing: make it, then push once more.
      if (!(e instanceof NotFoundError)) throw e;
      await this.#mkdir(dir);
      await push();
    }
    if (opts.fresh) return;
    const mv = await this.run(["mv", "-T", "-f", "--", temp, path]);
    if (mv.code !== 0) {
      await this.run(["rm", "-f", "--", temp]).catch(() => undefined);
      throw new DriverError(
        "PLB777",
        `cannot write ${path} in ${this.#instance}: ${mv.stderr.trim() || `mv exited ${mv.code}`}`,
        { method: "POST", endpoint: this.#url("/exec") },
      );
    }
  }

  /**
   * One directory through the file API (no command runs in the instance). The parent must exist
   * (404 otherwise, raised as NotFoundError); an existing directory is left as it is.
   */
  async makeDir(path: string, mode: string): Promise<void> {
    this.#checkPath(path, mode);
    await this.#files(() =>
      this.#api.call("POST", this.#url("/files", { path }), {
        project: this.#project,
        raw: {
          bytes: new Uint8Array(0),
          headers: {
            "X-Incus-uid": "0",
            "X-Incus-gid": "0",
            "X-Incus-mode": mode.padStart(4, "0"),
            "X-Incus-type": "directory",
          },
        },
      }),
    );
  }

  /**
   * One file API call, retried once when Incus loses its per-instance file server under it: the
   * server (`forkfile`) exits when idle, and a request racing that exit fails with status 500
   * "forkfile.sock: connection reset by peer" (seen with 30 containers served at once). Every
   * call made through here is idempotent (overwrite a file, make a directory).
   */
  async #files<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (!(e instanceof DriverError) || e.status !== 500 || !/forkfile/.test(e.incusError ?? ""))
        throw e;
      return call();
    }
  }

  #checkPath(path: string, mode: string): void {
    if (!posix.isAbsolute(path) || posix.normalize(path) !== path || path.endsWith("/"))
      throw new DriverError(
        "PLB777",
        `cannot write ${JSON.stringify(path)}: not a plain absolute path`,
        {
          method: "POST",
          endpoint: this.#url("/files"),
        },
      );
    if (!/^0?[0-7]{3,4}$/.test(mode))
      throw new DriverError(
        "PLB777",
        `cannot write ${path}: mode ${JSON.stringify(mode)} is not octal`,
        {
          method: "POST",
          endpoint: this.#url("/files"),
        },
      );
  }

  async #mkdir(dir: string): Promise<void> {
    const r = await this.run(["mkdir", "-p", "--", dir]);
    if (r.code !== 0)
      throw new DriverError(
        "PLB777",
        `cannot create ${dir} in ${this.#instance}: ${r.stderr.trim() || `mkdir exited ${r.code}`}`,
        { method: "POST", endpoint: this.#url("/exec") },
      );
  }

  /**
   * Sets one instance config key. PATCH merges config, devices and profiles, but Incus 6.0 resets
   * a description the body leaves out, so the current one is sent back under the ETag just read
   * (a concurrent change is retried on the new state, never overwritten).
   */
  async setConfig(key: string, value: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const { metadata, etag } = await this.#api.call("GET", this.#url(""), {
        project: this.#project,
      });
      const description = (metadata as { description?: string }).description ?? "";
      try {
        await this.#api.call("PATCH", this.#url(""), {
          project: this.#project,
          etag,
          body: { description, config: { [key]: value } },
        });
        return;
      } catch (e) {
        if (!(e instanceof PreconditionFailedError) || attempt >= 3) throw e;
      }
    }
  }

  async close(): Promise<void> {
    // The API client is shared by every target of a run; its owner closes it.
  }
}
