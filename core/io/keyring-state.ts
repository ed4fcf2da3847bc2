// Where plumb keeps the highest keyring version it verified for a repository (outside the
// repository, so no commit can change it), and the one loader every command uses: read the
// history and the current keyring, collect the pins (this machine's record, PLUMB_KEYRING_PIN,
// a target's policy), verify the chain, then raise the record.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { type KeyringPin, parsePin, type VerifiedChain, verifyChain } from "../trust/chain.js";
import { readKeyringFiles, readKeyringHistory, writeAtomic } from "./trust-store.js";

/** `$PLUMB_STATE_HOME`, else `$XDG_STATE_HOME/plumb`, else `~/.local/state/plumb`. */
export function plumbStateHome(env: NodeJS.ProcessEnv): string {
  if (env.PLUMB_STATE_HOME) return env.PLUMB_STATE_HOME;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, "plumb");
  return join(env.HOME ?? homedir(), ".local", "state", "plumb");
}

function seenFile(root: string, env: NodeJS.ProcessEnv): { file: string; repo: string } {
  const repo = realpathSync(root);
  const id = createHash("sha256").update(repo).digest("hex").slice(0, 24);
  return { file: join(plumbStateHome(env), "keyrings", `${id}.json`), repo };
}

/** The highest version this machine verified for the repository at `root`, as a pin. */
export function readSeen(root: string, env: NodeJS.ProcessEnv): KeyringPin | undefined {
  const { file } = seenFile(root, env);
  if (!existsSync(file)) return undefined;
  const v = JSON.parse(readFileSync(file, "utf8")) as { version: number; sha256: string };
  return parsePin(`${v.version}:${v.sha256}`, `this machine's record (${file})`);
}

export function recordSeen(
  root: string,
  env: NodeJS.ProcessEnv,
  version: number,
  sha256: string,
): void {
  const { file, repo } = seenFile(root, env);
  const prev = readSeen(root, env);
  if (prev && prev.version >= version) return;
  mkdirSync(join(file, ".."), { recursive: true, mode: 0o700 });
  writeAtomic(file, `${JSON.stringify({ repo, version, sha256 })}\n`, 0o600);
}

export interface LoadKeyringOptions {
  readonly now: Date;
  /** Further pins, e.g. from a target's existing policy file. */
  readonly pins?: readonly KeyringPin[];
  /** Do not raise this machine's record (a read that must not change state). */
  readonly record?: boolean;
}

/** The repository's keyring, verified from its pinned root (PLB843–PLB846, PLB87x). */
export function loadVerifiedKeyring(
  root: string,
  env: NodeJS.ProcessEnv,
  options: LoadKeyringOptions,
): VerifiedChain {
  const current = readKeyringFiles(root);
  const pins: KeyringPin[] = [...(options.pins ?? [])];
  const seen = readSeen(root, env);
  if (seen) pins.push(seen);
  if (env.PLUMB_KEYRING_PIN) pins.push(parsePin(env.PLUMB_KEYRING_PIN, "PLUMB_KEYRING_PIN"));
  const chain = verifyChain(
    readKeyringHistory(root),
    { source: "keys/keyring.json", ...current },
    options.now,
    pins,
  );
  if (options.record !== false) recordSeen(root, env, chain.keyring.version, chain.sha256);
  return chain;
}
