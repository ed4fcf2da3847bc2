// Async operations of the fake Incus: created Running, finished after a delay, waited on through
// `/wait` with the real daemon's shape (HTTP 200 flushed at once, failure or "context deadline
// exceeded" in the body), forgotten a while after they finish (404 "Operation not found").
import { randomUUID } from "node:crypto";

export interface FakeOperation {
  readonly id: string;
  readonly description: string;
  status: "Running" | "Success" | "Failure";
  statusCode: number;
  err: string;
  /** error_code the /wait body carries on failure (Incus uses 400 or 500). */
  errorCode: number;
  readonly resources: Record<string, string[]>;
  readonly done: Promise<void>;
}

export class OperationFailure extends Error {
  constructor(
    message: string,
    readonly errorCode = 500,
  ) {
    super(message);
  }
}

export class FakeOperations {
  /** Time an operation takes before its work runs. */
  delayMs = 5;
  /** How long a finished operation stays visible (the daemon: 5 s). */
  expiryMs = 5000;
  readonly #ops = new Map<string, FakeOperation>();
  readonly #timers = new Set<NodeJS.Timeout>();

  /** Starts `work` after `delayMs`; a thrown OperationFailure fails the operation. */
  start(description: string, resources: Record<string, string[]>, work: () => void): FakeOperation {
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const op: FakeOperation = {
      id: randomUUID(),
      description,
      status: "Running",
      statusCode: 103,
      err: "",
      errorCode: 0,
      resources,
      done,
    };
    this.#ops.set(op.id, op);
    this.#later(this.delayMs, () => {
      try {
        work();
        op.status = "Success";
        op.statusCode = 200;
      } catch (e) {
        op.status = "Failure";
        op.statusCode = 400;
        op.err = e instanceof Error ? e.message : String(e);
        op.errorCode = e instanceof OperationFailure ? e.errorCode : 500;
      }
      resolveDone();
      this.#later(this.expiryMs, () => this.#ops.delete(op.id));
    });
    return op;
  }

  /** Every operation still known (running, or finished less than `expiryMs` ago). */
  list(): FakeOperation[] {
    return [...this.#ops.values()];
  }

  get(id: string): FakeOperation | undefined {
    return this.#ops.get(id);
  }

  json(op: FakeOperation): Record<string, unknown> {
    const now = new Date().toISOString();
    return {
      id: op.id,
      class: "task",
      description: op.description,
      created_at: now,
      updated_at: now,
      status: op.status,
      status_code: op.statusCode,
      resources: op.resources,
      metadata: null,
      may_cancel: false,
      err: op.err,
      location: "none",
    };
  }

  /** Resolves when the operation is done or after `timeoutMs`; true when done. */
  async wait(op: FakeOperation, timeoutMs: number): Promise<boolean> {
    if (op.status !== "Running") return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const finished = await Promise.race([op.done.then(() => true as const), timedOut]);
    clearTimeout(timer);
    return finished;
  }

  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    // A forgotten fake (a property test's hundreds of them) must not keep the process alive.
    t.unref();
    this.#timers.add(t);
  }
}
