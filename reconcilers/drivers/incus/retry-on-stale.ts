// GET → build → PUT with If-Match, re-read and rebuilt when someone else wrote in between (412).
import { PreconditionFailedError } from "./errors.js";
import type { Etagged } from "./types.js";

export interface RetryOnStaleOptions {
  /** Attempts in all, the first included. Default 3. */
  readonly attempts?: number;
}

/**
 * Reads the object, lets `write` decide from that fresh value (return false when nothing needs
 * writing), and on a stale ETag starts over from a new read. The last PreconditionFailedError is
 * thrown once the attempts are used up. Returns whether a write went through.
 */
export async function updateWithFreshEtag<T>(
  read: () => Promise<Etagged<T>>,
  write: (current: T, etag: string) => Promise<boolean>,
  options: RetryOnStaleOptions = {},
): Promise<boolean> {
  const attempts = Math.max(1, options.attempts ?? 3);
  for (let attempt = 1; ; attempt++) {
    const { value, etag } = await read();
    try {
      return await write(value, etag);
    } catch (err) {
      if (!(err instanceof PreconditionFailedError) || attempt >= attempts) throw err;
    }
  }
}
