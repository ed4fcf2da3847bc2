// The contract sandbox (docs/contracts.md, "Sandbox run"): an ephemeral Incus container receives a
// signed bundle, the trust files and the target-side verifier, verifies and runs the contract
// exactly as a real target would, and is deleted afterwards.
// Exec and file transfer go through the Incus REST API, by the delivery transport for instances
// (reconcilers/delivery/incus-transport.ts): exec with recorded output, the instance file API.
import { randomBytes } from "node:crypto";
import { IncusTransport } from "../delivery/incus-transport.js";
import type { ApiClient } from "../drivers/incus/api-client.js";
import type { IncusDriver } from "../drivers/incus/types.js";

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
  /** Exec and file writes in the container (the delivery transport for Incus instances). */
  readonly transport: IncusTransport;

  private constructor(
    private readonly deps: SandboxDeps,
    readonly name: string,
  ) {
    this.transport = new IncusTransport({ api: deps.api, project: deps.project, instance: name });
  }

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
    return this.transport.exec(command, environment);
  }

  /** Writes a file as root, atomically (the instance file API; see delivery/incus-transport.ts). */
  async push(file: SandboxFile): Promise<void> {
    try {
      await this.transport.put(file.path, file.bytes, file.mode);
    } catch (e) {
      throw new Error(`pushing ${file.path} into ${this.name} failed: ${(e as Error).message}`);
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
