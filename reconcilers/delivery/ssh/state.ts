// The live contract state of a server: /var/lib/plumb/contracts/<name>.hash holds the hash of the
// contract it last ran successfully (written by delivery after SUCCESS). The plan reads all of
// them in one short ssh call; a server that cannot be reached is "unreachable" (its contracts are
// then planned as runs with reason "unknown state"), a host key mismatch is never hidden (PLB790).
import { isPlumbError, PlumbError } from "../../../core/errors.js";
import { TARGET_LAYOUT } from "../bootstrap.js";
import type { TargetTransport } from "../transport.js";
import { type ServerAddress, toEndpoint } from "./endpoint.js";
import { type SshOptions, SshTransport, sshOptionsFor } from "./transport.js";

export type ServerContractState = Record<string, string> | "unreachable";

const NAME_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const HASH_RE = /^sha256:[0-9a-f]{64}$/;
/** Seconds to connect when only reading state (plan): short, the plan must not hang on a server. */
export const STATE_CONNECT_TIMEOUT_S = 5;
const STATE_TIMEOUT_MS = 15_000;

// Prints "<name> <first line of the file>" per hash file; nothing when the directory is missing.
const READ = `for f in "$1"/*.hash; do
  [ -f "$f" ] && [ ! -L "$f" ] || continue
  n=$(basename -- "$f" .hash)
  printf '%s %s\\n' "$n" "$(head -c 100 -- "$f" | head -n 1)"
done
exit 0`;

/** Reads every recorded contract hash over a transport (one call). Malformed entries are skipped. */
export async function readContractHashes(
  t: TargetTransport,
  opts: { readonly timeoutMs?: number; readonly onBadEntry?: (e: PlumbError) => void } = {},
): Promise<Record<string, string>> {
  const r = await t.run(["sh", "-c", READ, "plumb-state", TARGET_LAYOUT.contracts], {
    timeoutMs: opts.timeoutMs ?? STATE_TIMEOUT_MS,
  });
  if (r.code !== 0)
    throw new PlumbError(
      "PLB797",
      `reading the contract state of ${t.machine} failed (exit ${r.code})`,
    );
  const out: Record<string, string> = {};
  for (const line of r.stdout.split("\n")) {
    if (line === "") continue;
    const [name = "", hash = ""] = line.split(" ", 2);
    if (NAME_RE.test(name) && HASH_RE.test(hash)) out[name] = hash;
    else
      opts.onBadEntry?.(
        new PlumbError(
          "PLB797",
          `${t.machine}: ${TARGET_LAYOUT.contracts}/${JSON.stringify(name).slice(1, -1)}.hash is not a contract hash`,
        ),
      );
  }
  return out;
}

/** The hash file delivery writes after a contract ran successfully on a server. */
export async function recordContractHash(
  t: TargetTransport,
  name: string,
  hash: string,
): Promise<void> {
  if (!NAME_RE.test(name) || !HASH_RE.test(hash))
    throw new PlumbError("PLB999", `bad contract name or hash (${name})`, { source: "internal" });
  await t.put(
    `${TARGET_LAYOUT.contracts}/${name}.hash`,
    new TextEncoder().encode(`${hash}\n`),
    "0600",
  );
}

/**
 * What a `type: server` machine last ran successfully: contract name → hash, or "unreachable"
 * when it does not answer within a short timeout. Throws on a host key mismatch (PLB790) or a
 * bad endpoint (PLB794): those are errors to show, not a state.
 */
export async function readServerContractState(
  machine: string,
  server: ServerAddress,
  o: SshOptions,
): Promise<ServerContractState> {
  let t: SshTransport | undefined;
  try {
    t = await SshTransport.open(toEndpoint(machine, server), {
      connectTimeoutS: STATE_CONNECT_TIMEOUT_S,
      ...o,
    });
    return await readContractHashes(t);
  } catch (e) {
    if (isPlumbError(e) && (e.code === "PLB791" || e.code === "PLB792" || e.code === "PLB795"))
      return "unreachable";
    throw e;
  } finally {
    await t?.close();
  }
}

/** How many servers the plan reads at once. */
export const STATE_PARALLELISM = 8;

/**
 * The plan's reader of server state for a repository: readServerContractState with the
 * repository's .plumb/ssh and $PLUMB_SSH_CONFIG, at most STATE_PARALLELISM servers at once.
 */
export function serverStateReaderFor(
  root: string,
  env: Readonly<Record<string, string | undefined>>,
  parallelism = STATE_PARALLELISM,
): (m: {
  readonly name: string;
  readonly server?: ServerAddress | undefined;
}) => Promise<ServerContractState> {
  const o = sshOptionsFor(root, env);
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (m) => {
    if (m.server === undefined) return "unreachable";
    if (active >= parallelism) await new Promise<void>((go) => waiting.push(go));
    active++;
    try {
      return await readServerContractState(m.name, m.server, o);
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
