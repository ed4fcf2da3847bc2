// The apply lock, stored in Incus itself so operators and CI jobs on different machines exclude
// each other: a `user.plumb.lock` key on the `default` project, taken and renewed by
// compare-and-swap (GET → PUT with If-Match; a 412 means someone else wrote first: re-read).
// The holder renews a lease while it works; a lock whose lease ran out, or whose process is
// gone from this same host, is stale and may be taken over.
import { ExitCode, PlumbError } from "../../core/errors.js";
import { PreconditionFailedError } from "../drivers/incus/errors.js";
import type { ConfigMap, IncusDriver } from "../drivers/incus/types.js";
import { LOCK_KEY } from "../kit/ownership.js";

export const LOCK_PROJECT = "default";
export const EXIT_LOCKED = ExitCode.locked;

export interface LockHolder {
  readonly owner: string;
  readonly run: string;
  readonly host: string;
  readonly pid: number;
  /** Start time of the process (/proc/<pid>/stat), so a reused pid is not mistaken for it. */
  readonly pidStart: string;
  readonly command: string;
  readonly since: string;
  readonly expires: string;
}

/** The few facts about processes the lock needs, injectable for tests. */
export interface LockEnv {
  readonly host: string;
  readonly pid: number;
  now(): Date;
  /** Start time of a live process, undefined when no such process exists. */
  processStart(pid: number): string | undefined;
}

export class LockHeldError extends PlumbError {
  readonly holder: LockHolder;
  constructor(holder: LockHolder) {
    super(
      "PLB712",
      `the apply lock is held by \`${holder.command}\` (run ${holder.run}, pid ${holder.pid} on ${holder.host}, estate ${holder.owner}) since ${holder.since}; its lease ends ${holder.expires}`,
      {
        exitCode: EXIT_LOCKED,
        hint: "wait for that apply to finish; if it is gone, the lock expires with its lease, or run `plumb unlock`",
      },
    );
    this.name = "LockHeldError";
    this.holder = holder;
  }
}

export function parseHolder(value: string | undefined): LockHolder | undefined {
  if (!value) return undefined;
  try {
    const h = JSON.parse(value) as LockHolder;
    return typeof h.run === "string" && typeof h.expires === "string" ? h : undefined;
  } catch {
    // Unreadable: treat as a lock with no lease left (someone wrote garbage into the key).
    return undefined;
  }
}

/** Why a held lock may be taken over, or undefined while it is valid. */
export function staleReason(h: LockHolder, env: LockEnv): string | undefined {
  if (Date.parse(h.expires) <= env.now().getTime()) return `its lease ended ${h.expires}`;
  if (h.host === env.host && env.processStart(h.pid) !== h.pidStart) {
    return `process ${h.pid} no longer runs on ${h.host}`;
  }
  return undefined;
}

export async function readLock(driver: IncusDriver): Promise<LockHolder | undefined> {
  const { value } = await driver.getProject(LOCK_PROJECT);
  return parseHolder(value.config[LOCK_KEY]);
}

/**
 * Compare-and-swap on the lock key: `decide` sees the current holder and returns the new value
 * (undefined removes the key, null leaves everything as is). Retries on a stale ETag.
 */
export async function casLock(
  driver: IncusDriver,
  decide: (
    current: LockHolder | undefined,
    raw: string | undefined,
  ) => LockHolder | undefined | null,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { value, etag } = await driver.getProject(LOCK_PROJECT);
    const raw = value.config[LOCK_KEY];
    const next = decide(parseHolder(raw), raw);
    if (next === null) return;
    const { [LOCK_KEY]: _old, ...rest } = value.config;
    const config: ConfigMap =
      next === undefined ? rest : { ...rest, [LOCK_KEY]: JSON.stringify(next) };
    try {
      await driver.updateProject(LOCK_PROJECT, { description: value.description, config }, etag);
      return;
    } catch (err) {
      if (!(err instanceof PreconditionFailedError) || attempt >= 8) throw err;
    }
  }
}

/**
 * Removes the lock when its holder is provably gone (lease over, or its process dead on this
 * host): what a run that needs no lock does (a no-op apply), so a killed run's lock does not
 * outlive it until the lease ends. A live holder is left alone. Returns the holder removed.
 */
export async function releaseStaleLock(
  driver: IncusDriver,
  env: LockEnv,
): Promise<{ holder: LockHolder; why: string } | undefined> {
  let released: { holder: LockHolder; why: string } | undefined;
  await casLock(driver, (cur) => {
    released = undefined;
    if (!cur) return null;
    const why = staleReason(cur, env);
    if (why === undefined) return null;
    released = { holder: cur, why };
    return undefined;
  });
  return released;
}

export interface LockOptions {
  readonly owner: string;
  readonly run: string;
  readonly command: string;
  /** Lease length; the holder renews it every third of it. */
  readonly leaseMs: number;
  readonly env: LockEnv;
  /** How long to wait for a held lock before giving up (0: fail at once, like TF's -lock-timeout). */
  readonly waitMs?: number;
  /** Told when a stale lock was taken over (for the operator). */
  onTakeover?(previous: LockHolder, why: string): void;
}

export class IncusLock {
  readonly #driver: IncusDriver;
  readonly #o: LockOptions;
  #holder: LockHolder;
  #timer: NodeJS.Timeout | undefined;
  #lost: PlumbError | undefined;

  private constructor(driver: IncusDriver, o: LockOptions, holder: LockHolder) {
    this.#driver = driver;
    this.#o = o;
    this.#holder = holder;
  }

  #lease(): LockHolder {
    const now = this.#o.env.now();
    return { ...this.#holder, expires: new Date(now.getTime() + this.#o.leaseMs).toISOString() };
  }

  /** Takes the lock, waiting up to `waitMs` for a holder to finish; else throws LockHeldError. */
  static async acquire(driver: IncusDriver, o: LockOptions): Promise<IncusLock> {
    const deadline = Date.now() + (o.waitMs ?? 0);
    for (;;) {
      try {
        return await IncusLock.#tryAcquire(driver, o);
      } catch (err) {
        if (!(err instanceof LockHeldError) || Date.now() >= deadline) throw err;
        await new Promise((r) =>
          setTimeout(r, Math.min(1000, Math.max(50, deadline - Date.now()))),
        );
      }
    }
  }

  static async #tryAcquire(driver: IncusDriver, o: LockOptions): Promise<IncusLock> {
    const now = o.env.now();
    const me: LockHolder = {
      owner: o.owner,
      run: o.run,
      host: o.env.host,
      pid: o.env.pid,
      pidStart: o.env.processStart(o.env.pid) ?? "",
      command: o.command,
      since: now.toISOString(),
      expires: new Date(now.getTime() + o.leaseMs).toISOString(),
    };
    await casLock(driver, (cur) => {
      if (cur && cur.run !== me.run) {
        const why = staleReason(cur, o.env);
        if (why === undefined) throw new LockHeldError(cur);
        o.onTakeover?.(cur, why);
      }
      return me;
    });
    return new IncusLock(driver, o, me);
  }

  /** Renews the lease every third of it until released; a lost lock is remembered. */
  startHeartbeat(): void {
    this.#timer = setInterval(
      () => {
        this.renew().catch((err: unknown) => {
          if (err instanceof PlumbError && err.code === "PLB722") this.#lost = err;
        });
      },
      Math.max(1000, Math.floor(this.#o.leaseMs / 3)),
    );
    this.#timer.unref();
  }

  async renew(): Promise<void> {
    await casLock(this.#driver, (cur) => {
      if (cur?.run !== this.#holder.run) {
        throw new PlumbError(
          "PLB722",
          `the apply lock was taken over${cur ? ` by run ${cur.run} (pid ${cur.pid} on ${cur.host})` : ""}`,
        );
      }
      this.#holder = this.#lease();
      return this.#holder;
    });
  }

  /** Throws when the lock was lost: called between changes. */
  check(): void {
    if (this.#lost) throw this.#lost;
  }

  async release(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await casLock(this.#driver, (cur) => (cur?.run === this.#holder.run ? undefined : null));
  }
}
