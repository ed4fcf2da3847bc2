// The local state plumb keeps under `<repo>/.plumb/` (git-ignored): per-run journals in
// `runs/<run-id>/` and the pre-apply snapshot records (docs/reconcile.md) in `pre-apply-snapshots/`
// (`latest`, `latest-scope`, `history`, plus one JSON record per run).
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";

export const STATE_DIR = ".plumb";

export function stateDir(root: string, ...parts: string[]): string {
  const dir = join(root, STATE_DIR, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** `20260219-143022`: UTC, sortable, the suffix of `pre-apply-…` and `snap-…` snapshot names. */
export function timestamp(d: Date = new Date()): string {
  return d.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

/** Append-only journal of one run: one JSON event per line, written as it happens. */
export class RunJournal {
  readonly dir: string;
  readonly file: string;

  constructor(root: string, runId: string) {
    this.dir = stateDir(root, "runs", runId);
    this.file = join(this.dir, "journal.ndjson");
  }

  /** Synchronous on purpose: a kill -9 right after a step still leaves the line on disk. */
  event(type: string, data: Record<string, unknown> = {}): void {
    appendFileSync(
      this.file,
      `${JSON.stringify({ t: new Date().toISOString(), type, ...data })}\n`,
    );
  }

  async writeJson(name: string, value: unknown): Promise<void> {
    await writeFileAtomic(join(this.dir, name), `${JSON.stringify(value, null, 2)}\n`);
  }
}

export interface PreApplyRecord {
  readonly timestamp: string;
  readonly snapshot: string;
  /** The `--limit` domains, or "all". */
  readonly scope: string;
  readonly run: string;
  readonly instances: readonly { project: string; name: string; ok: boolean; error?: string }[];
}

/** `.plumb/pre-apply-snapshots/`: what rollback and cleanup read (docs/reconcile.md). */
export class PreApplyState {
  readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, STATE_DIR, "pre-apply-snapshots");
  }

  async record(rec: PreApplyRecord): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    await writeFileAtomic(
      join(this.dir, `${rec.timestamp}.json`),
      `${JSON.stringify(rec, null, 2)}\n`,
    );
    await writeFileAtomic(join(this.dir, "latest"), `${rec.timestamp}\n`);
    await writeFileAtomic(join(this.dir, "latest-scope"), `${rec.scope}\n`);
    if (!this.history().includes(rec.snapshot)) {
      appendFileSync(join(this.dir, "history"), `${rec.snapshot}\n`);
    }
  }

  latest(): string | undefined {
    return this.#read("latest")?.trim() || undefined;
  }

  latestScope(): string | undefined {
    return this.#read("latest-scope")?.trim() || undefined;
  }

  /** Snapshot names, oldest first. */
  history(): string[] {
    return (this.#read("history") ?? "").split("\n").filter((l) => l.trim() !== "");
  }

  recordOf(ts: string): PreApplyRecord | undefined {
    const text = this.#read(`${ts}.json`);
    return text === undefined ? undefined : (JSON.parse(text) as PreApplyRecord);
  }

  /**
   * Keeps the newest `keep` names of `history` (after cleanup removed the others), and prunes
   * the per-run `<timestamp>.json` records of the names dropped (the latest is always kept).
   */
  writeHistory(names: readonly string[]): void {
    if (!existsSync(this.dir)) return;
    writeFileSync(join(this.dir, "history"), names.map((n) => `${n}\n`).join(""));
    const keep = new Set(names.map((n) => n.replace(/^pre-apply-/, "")));
    const latest = this.latest();
    if (latest) keep.add(latest);
    for (const f of readdirSync(this.dir)) {
      const m = /^(\d{8}-\d{6})\.json$/.exec(f);
      if (m && !keep.has(m[1] as string)) rmSync(join(this.dir, f), { force: true });
    }
  }

  #read(name: string): string | undefined {
    try {
      return readFileSync(join(this.dir, name), "utf8");
    } catch {
      return undefined;
    }
  }
}
