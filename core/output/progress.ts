// Progress of long work (apply, flush, rollback) that people can watch. On a terminal: one status
// line redrawn in place under the result lines (done/total, what is in flight, elapsed, estimate).
// Elsewhere (a pipe, a file, CI): plain lines only, one per finished item with its counter, and a
// status line every `plainEveryMs` while items are in flight, so a log shows the run is alive.

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  readonly total: number;
  /** What is being done, for the status line: "apply", "flush", "rollback". */
  readonly verb: string;
  /** Redraw in place (a terminal, not CI). */
  readonly live: boolean;
  readonly now?: () => number;
  /** Terminal redraw interval (default 250 ms); 0: only on events (tests). */
  readonly tickMs?: number;
  /** Plain mode: a status line this often while work is in flight (default 15 s; 0: never). */
  readonly plainEveryMs?: number;
}

const CLEAR_LINE = "\r\u001b[2K";

/** `75s` → `1:15`, `3725s` → `1:02:05`. */
export function clock(ms: number): string {
  const t = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export class Progress {
  readonly #stream: ProgressStream;
  readonly #o: ProgressOptions;
  readonly #now: () => number;
  readonly #started: number;
  readonly #inFlight = new Map<string, string>();
  #done = 0;
  #drawn = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #lastPlain: number;

  constructor(stream: ProgressStream, options: ProgressOptions) {
    this.#stream = stream;
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#started = this.#now();
    this.#lastPlain = this.#started;
    const tick = options.live ? (options.tickMs ?? 250) : (options.plainEveryMs ?? 15_000);
    if (tick > 0) {
      this.#timer = setInterval(() => this.#tick(), options.live ? tick : Math.min(tick, 1000));
      this.#timer.unref();
    }
  }

  get done(): number {
    return this.#done;
  }

  /** `apply 12/30 (40%) · 3 in flight: web/w1, web/w2, … · 0:12 elapsed · ~0:18 left` */
  statusText(width = Number.POSITIVE_INFINITY): string {
    const { total, verb } = this.#o;
    const elapsed = this.#now() - this.#started;
    const pct = total > 0 ? ` (${Math.floor((this.#done / total) * 100)}%)` : "";
    const eta =
      this.#done > 0 && this.#done < total
        ? ` · ~${clock((elapsed / this.#done) * (total - this.#done))} left`
        : "";
    const head = `${verb} ${this.#done}/${total}${pct}`;
    const tail = ` · ${clock(elapsed)} elapsed${eta}`;
    const names = [...this.#inFlight.values()];
    let flight = names.length > 0 ? ` · ${names.length} in flight: ${names.join(", ")}` : "";
    const room = width - head.length - tail.length;
    if (flight.length > room) {
      // Keep the counts and the clock whole; cut the names.
      const short = ` · ${names.length} in flight`;
      flight =
        room >= short.length + 6
          ? `${flight.slice(0, room - 1)}…`
          : room >= short.length
            ? short
            : "";
    }
    const line = `${head}${flight}${tail}`;
    return line.length > width ? line.slice(0, Math.max(0, width - 1)) : line;
  }

  /** An item started (shown in flight). */
  begin(id: string, label: string): void {
    this.#inFlight.set(id, label);
    this.#redraw();
  }

  /** Drops an in-flight entry that is not counted (a phase such as snapshotting). */
  forget(id: string): void {
    this.#inFlight.delete(id);
    this.#redraw();
  }

  /** An item finished: its result line, prefixed with the counter. */
  end(id: string, line: string): void {
    this.#inFlight.delete(id);
    this.#done++;
    this.#print(`[${this.#done}/${this.#o.total}] ${line}`);
  }

  /** A line that is not an item (a lock takeover, the snapshot phase). */
  note(line: string): void {
    this.#print(line);
  }

  /** Removes the status line and stops redrawing; call before printing the final summary. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clear();
  }

  #print(line: string): void {
    this.#clear();
    this.#stream.write(`${line}\n`);
    this.#redraw();
  }

  #clear(): void {
    if (this.#drawn) this.#stream.write(CLEAR_LINE);
    this.#drawn = false;
  }

  #redraw(): void {
    if (!this.#o.live || this.#stopped) return;
    const width = (this.#stream.columns ?? 80) - 1;
    this.#stream.write(`${CLEAR_LINE}${this.statusText(width)}`);
    this.#drawn = true;
  }

  #tick(): void {
    if (this.#o.live) {
      this.#redraw();
      return;
    }
    const every = this.#o.plainEveryMs ?? 15_000;
    if (this.#inFlight.size > 0 && this.#now() - this.#lastPlain >= every) {
      this.#lastPlain = this.#now();
      this.#stream.write(`${this.statusText()}\n`);
    }
  }
}

/** Live redraw only on a terminal that is not a CI job's. */
export function liveProgressWanted(stream: ProgressStream, env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "false";
  return stream.isTTY === true && !ci && env.TERM !== "dumb";
}
