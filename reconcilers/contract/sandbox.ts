// The contract sandbox (docs/contracts.md, "Sandbox run"): an ephemeral Incus container receives a
// signed bundle, the trust files and the target-side verifier, verifies and runs the contract
// exactly as a real target would, and is deleted afterwards.
// Exec and file transfer go through the Incus REST API (exec with recorded output); files are
// sent as base64 arguments in chunks, as the shared transport speaks JSON only.
import { randomBytes } from "node:crypto";
import type { ApiClient } from "../drivers/incus/api-client.js";
import type { IncusDriver, Operation } from "../drivers/incus/types.js";

/** Bytes of base64 per exec argument: well under Linux's 128 KiB MAX_ARG_STRLEN. */
const CHUNK = 96 * 1024;

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SandboxFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly mode: string;
}

export interface SandboxDeps {
  readonly driver: IncusDriver;
  readonly api: ApiClient;
  readonly project: string;
}

export class ContractSandbox {
  private constructor(
    private readonly deps: SandboxDeps,
    readonly name: string,
  ) {}

  /** Launches an ephemeral container from `image` and waits until it runs. */
  static async launch(
    deps: SandboxDeps,
    image: string,
    prefix = "plumb-ct",
  ): Promise<ContractSandbox> {
    const name = `${prefix}-${randomBytes(4).toString("hex")}`;
    await deps.driver.createInstance(deps.project, {
      name,
      source: { type: "image", alias: image },
      ephemeral: true,
      start: true,
      description: "plumb contract test sandbox (deleted after the run)",
    });
    return new ContractSandbox(deps, name);
  }

  /** An existing sandbox container (kept with `--keep`), which must be running. */
  static async attach(deps: SandboxDeps, name: string): Promise<ContractSandbox> {
    const box = new ContractSandbox(deps, name);
    const r = await box.exec(["true"]);
    if (r.code !== 0) throw new Error(`container ${name} does not answer`);
    return box;
  }

  async exec(
    command: readonly string[],
    environment: Record<string, string> = {},
  ): Promise<ExecResult> {
    const q = `?project=${encodeURIComponent(this.deps.project)}`;
    const { metadata } = await this.deps.api.call(
      "POST",
      `/1.0/instances/${encodeURIComponent(this.name)}/exec${q}`,
      {
        project: this.deps.project,
        body: {
          command,
          environment: {
            PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ...environment,
          },
          "wait-for-websocket": false,
          "record-output": true,
          interactive: false,
        },
      },
    );
    const op = metadata as Operation;
    const meta = (op.metadata ?? {}) as { return?: number; output?: Record<string, string> };
    const read = async (fd: string) => {
      const path = meta.output?.[fd];
      if (!path) return "";
      const res = await this.deps.api.transport.request({
        method: "GET",
        path: `${path}${path.includes("?") ? "&" : "?"}project=${encodeURIComponent(this.deps.project)}`,
        timeoutMs: 30_000,
      });
      return res.status === 200 ? res.body : "";
    };
    return { code: meta.return ?? -1, stdout: await read("1"), stderr: await read("2") };
  }

  async push(file: SandboxFile): Promise<void> {
    const b64 = Buffer.from(file.bytes).toString("base64");
    for (let i = 0, first = true; first || i < b64.length; i += CHUNK, first = false) {
      const op = first ? ">" : ">>";
      const r = await this.exec([
        "sh",
        "-c",
        `mkdir -p "$(dirname "$2")" && printf %s "$1" | base64 -d ${op} "$2" && chmod "$3" "$2"`,
        "push",
        b64.slice(i, i + CHUNK),
        file.path,
        file.mode,
      ]);
      if (r.code !== 0)
        throw new Error(`pushing ${file.path} into ${this.name} failed: ${r.stderr.trim()}`);
    }
  }

  async destroy(): Promise<void> {
    try {
      await this.deps.driver.setInstanceState(this.deps.project, this.name, "stop", {
        force: true,
      });
    } catch {
      // already stopped (an ephemeral instance is then gone)
    }
    try {
      await this.deps.driver.deleteInstance(this.deps.project, this.name);
    } catch {
      // ephemeral: deleted on stop
    }
  }
}
