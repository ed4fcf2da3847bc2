// GET → build → PUT with If-Match, re-read and rebuilt when someone else wrote in between (412),
// or when Incus was busy with another operation on the same instance (see isBusy).
import { DriverError, PreconditionFailedError } from "./errors.js";
import type { Etagged } from "./types.js";

export interface RetryOnStaleOptions {
  /** Attempts in all, the first included. Default 3 for a stale ETag, 6 while Incus is busy. */
  readonly attempts?: number;
}

/**
 * Incus 6.0 refuses to start an instance update while another one runs for the same instance
 * (a profile PUT updates every instance using it): "Failed to create instance update operation:
 * A matching non-reusable operation has now succeeded" (HTTP 500; a profile keeps its change).
 * Writing again a moment later succeeds, so this is retried, never reported.
 */
export function isBusy(err: unknown): boolean {
  return (
    err instanceof DriverError && /matching non-reusable operation/i.test(err.incusError ?? "")
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads the object, lets `write` decide from that fresh value (return false when nothing needs
 * writing), and on a stale ETag starts over from a new read; while Incus is busy with the same
 * instance, waits a little (100 ms, doubling) and starts over too. The last error is thrown once
 * the attempts are used up. Returns whether a write went through.
 */
export async function updateWithFreshEtag<T>(
  read: () => Promise<Etagged<T>>,
  write: (current: T, etag: string) => Promise<boolean>,
  options: RetryOnStaleOptions = {},
): Promise<boolean> {
  const stale = Math.max(1, options.attempts ?? 3);
  const busy = Math.max(1, options.attempts ?? 6);
  let staleSeen = 0;
  let busySeen = 0;
  for (;;) {
    const { value, etag } = await read();
    try {
      return await write(value, etag);
    } catch (err) {
      if (err instanceof PreconditionFailedError && ++staleSeen < stale) continue;
      if (isBusy(err) && ++busySeen < busy) {
        await sleep(100 * 2 ** (busySeen - 1));
        continue;
      }
      throw err;
    }
  }
}

/** Runs `op` again while Incus is busy with the same instance (creates, state changes). */
export async function retryWhenBusy<T>(op: () => Promise<T>, attempts = 6): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await op();
    } catch (err) {
      if (!isBusy(err) || n >= attempts) throw err;
      await sleep(100 * 2 ** (n - 1));
    }
  }
}
