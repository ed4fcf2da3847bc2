// Target bootstrap over any TargetTransport (Incus instance or SSH server): installs or updates
// /etc/plumb/trust (allowed_signers, revoked_keys, policy, plumb-verify), the state, run, contracts
// and log directories, root-owned with safe modes, and the replay state on first use. One probe
// call reads what is there (hashes, owners, modes); only what differs is rewritten; a target that
// trusts a newer keyring is refused (PLB788), never lowered (docs/servers.md, "plumb target bootstrap").
import { createHash, randomBytes } from "node:crypto";
import { PlumbError } from "../../core/errors.js";
import { shq } from "../../core/shell/quote.js";
import type { TargetTrustFiles } from "../../core/trust/target-files.js";
import type { TargetTransport } from "./transport.js";

/** What a target needs to verify contracts: `targetTrustFiles(keyring, sha256)`. */
export type TargetFiles = TargetTrustFiles;

export type BootstrapOutcome = "installed" | "updated" | "current";

/** Where plumb keeps its files on a target. Tests point it at a scratch directory. */
export interface TargetLayout {
  readonly etc: string;
  readonly trust: string;
  readonly lib: string;
  readonly state: string;
  readonly run: string;
  readonly contracts: string;
  readonly log: string;
}

export const TARGET_LAYOUT: TargetLayout = {
  etc: "/etc/plumb",
  trust: "/etc/plumb/trust",
  lib: "/var/lib/plumb",
  state: "/var/lib/plumb/state",
  run: "/var/lib/plumb/run",
  contracts: "/var/lib/plumb/contracts",
  log: "/var/log/plumb",
};

export interface BootstrapOptions {
  readonly layout?: TargetLayout;
  /** Probe and report only; nothing is written. */
  readonly dryRun?: boolean;
  readonly timeoutMs?: number;
}

/** One thing bootstrap wrote or fixed (or would, with dryRun). */
export interface BootstrapStep {
  readonly path: string;
  readonly action: "create-dir" | "write" | "fix-owner-mode" | "init-state";
}

export interface BootstrapReport {
  readonly machine: string;
  readonly outcome: BootstrapOutcome;
  readonly steps: readonly BootstrapStep[];
  readonly keyringVersion: number;
  /** The keyring version the target trusted before; null when it had none. */
  readonly previousKeyringVersion: number | null;
  readonly dryRun: boolean;
}

// The trust files in the order they are written: tightening first (revocations), then the policy
// (its keyring version is the monotonic guard), then the keys, then the verifier. Each write is
// atomic; a crash between two leaves a target that refuses contracts until the next bootstrap.
const FILE_ORDER = ["revoked_keys", "policy", "allowed_signers", "plumb-verify"] as const;
const FILE_MODE: Readonly<Record<(typeof FILE_ORDER)[number], string>> = {
  revoked_keys: "644",
  policy: "644",
  allowed_signers: "644",
  "plumb-verify": "755",
};

interface Probed {
  readonly kind: "D" | "F" | "L" | "O" | "M";
  readonly uid?: string;
  readonly gid?: string;
  readonly mode?: string;
  readonly sha?: string;
}

// POSIX sh (busybox or dash; it must have stat, sha256sum and grep), three commands whatever the number of paths (each command costs
// about 5 ms in a container): one stat of every path (lstat: a link is reported as such, a
// missing path is absent from the output), one sha256sum of the regular files, then the
// policy's pin lines.
const PROBE = `set -u
for tool in stat sha256sum grep; do
  command -v "$tool" >/dev/null 2>&1 || { echo "plumb: the target has no $tool" >&2; exit 3; }
done
policy=$1; shift
n=$#
for p in "$@"; do
  if [ -f "$p" ] && [ ! -L "$p" ]; then set -- "$@" "$p"; fi
done
stat -c 'S %u %g %a %F|%n' -- "$@" 2>/dev/null
shift "$n"
if [ "$#" -gt 0 ]; then sha256sum -- "$@"; fi
if [ -f "$policy" ] && [ ! -L "$policy" ]; then grep -E '^keyring_(version|sha256)=' -- "$policy"; fi
exit 0`;

// Creates missing directories, then sets owner and mode: argv after the script is mode/path pairs.
const FIX = `set -eu
while [ "$#" -ge 2 ]; do
  mode=$1; p=$2; shift 2
  if [ -L "$p" ]; then echo "plumb: $p is a symbolic link" >&2; exit 3; fi
  [ -e "$p" ] || mkdir -m "$mode" -- "$p"
  chown 0:0 -- "$p"
  chmod "$mode" -- "$p"
done`;

// After the trust files were written under temporary names: renames them into place in the
// given order (R tmp path), makes owner and mode exact (F mode path), and creates the replay
// state when it is missing (S state keyring-version), all in one call.
const FINISH = `set -eu
while [ "$#" -ge 3 ]; do
  op=$1; a=$2; b=$3; shift 3
  if [ -L "$b" ] && [ "$op" != R ]; then echo "plumb: $b is a symbolic link" >&2; exit 3; fi
  case $op in
    R) mv -T -f -- "$a" "$b" ;;
    F) chown 0:0 -- "$b"; chmod "$a" -- "$b" ;;
    S)
      exec 9>>"$b.lock"
      flock -x -w 60 9
      if [ ! -e "$b" ]; then
        printf '%s 0\\n' "$a" > "$b.tmp"
        chmod 0600 -- "$b.tmp"
        mv -f -- "$b.tmp" "$b"
      fi
      exec 9>&-
      ;;
    *) echo "plumb: unknown step $op" >&2; exit 3 ;;
  esac
done`;

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function pinOf(policy: string): { version: number | null; sha: string | null } {
  const v = /^keyring_version=([1-9][0-9]{0,15})$/m.exec(policy)?.[1];
  const h = /^keyring_sha256=([0-9a-f]{64})$/m.exec(policy)?.[1];
  return { version: v === undefined ? null : Number(v), sha: h ?? null };
}

function parseProbe(
  stdout: string,
  probed: readonly string[],
): {
  paths: Map<string, Probed>;
  pin: { version: number | null; sha: string | null };
} {
  const stats = new Map<string, { kind: Probed["kind"]; uid: string; gid: string; mode: string }>();
  const sums = new Map<string, string>();
  const policyLines: string[] = [];
  for (const line of stdout.split("\n")) {
    if (/^keyring_(version|sha256)=/.test(line)) {
      policyLines.push(line);
      continue;
    }
    const h = /^([0-9a-f]{64}) {2}(\/.*)$/.exec(line);
    if (h) {
      sums.set(h[2] as string, h[1] as string);
      continue;
    }
    const m = /^S (\d+) (\d+) ([0-7]+) ([^|]+)\|(\/.*)$/.exec(line);
    if (!m) continue;
    const [, uid, gid, mode, type, path] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const kind: Probed["kind"] =
      type === "directory"
        ? "D"
        : type === "regular file" || type === "regular empty file"
          ? "F"
          : type === "symbolic link"
            ? "L"
            : "O";
    stats.set(path, { kind, uid, gid, mode });
  }
  // A path stat did not report is missing (stat's errors are discarded; as root only a
  // missing path makes it fail).
  const paths = new Map<string, Probed>();
  for (const p of probed) {
    const st = stats.get(p);
    if (!st) paths.set(p, { kind: "M" });
    else if (st.kind === "F") paths.set(p, { ...st, sha: sums.get(p) ?? "-" });
    else paths.set(p, st);
  }
  return { paths, pin: pinOf(policyLines.join("\n")) };
}

function ownedRightly(p: Probed, mode: string): boolean {
  return p.uid === "0" && p.gid === "0" && p.mode === mode;
}

/** The directories bootstrap makes, with their modes, in creation order. */
function layoutDirs(L: TargetLayout): readonly (readonly [string, string])[] {
  return [
    [L.etc, "755"],
    [L.trust, "755"],
    [L.lib, "700"],
    [L.run, "700"],
    [L.contracts, "700"],
    [L.log, "700"],
  ];
}

/** The line a trust gate prints when the target is not in the bootstrap state. */
export const GATE_STALE = "PLUMB-BOOTSTRAP needed";

/**
 * A POSIX sh fragment that checks, in two commands (one stat, one sha256sum), that the target is
 * exactly in the state `bootstrapTarget` would leave it in: every directory and trust file
 * root-owned with its mode and type, every trust file with the content installed from this
 * keyring, the replay state present. When anything differs it prints GATE_STALE and exits 0,
 * before any verifier runs; delivery then bootstraps (which refuses links, wrong types and a
 * newer keyring, and repairs the rest) and tries again. It lets delivery skip the separate probe
 * call on a target that is current: the check and the verifier run in one call.
 */
export function trustGate(files: TargetFiles, layout: TargetLayout = TARGET_LAYOUT): string {
  const dirs = layoutDirs(layout);
  const filePaths = FILE_ORDER.map((n) => `${layout.trust}/${n}`);
  const wantStat = [
    ...dirs.map(([, mode]) => `0 0 ${mode} directory`),
    ...FILE_ORDER.map(
      (n) => `0 0 ${FILE_MODE[n]} ${files[n].length === 0 ? "regular empty file" : "regular file"}`,
    ),
  ].join("\n");
  const wantSums = FILE_ORDER.map((n) => `${sha256Hex(files[n])}  ${layout.trust}/${n}`).join("\n");
  const state = shq(layout.state);
  return [
    `if [ "$(stat -c '%u %g %a %F' -- ${[...dirs.map(([p]) => p), ...filePaths].map(shq).join(" ")} 2>/dev/null)" != ${shq(wantStat)} ] ||`,
    `  [ "$(sha256sum -- ${filePaths.map(shq).join(" ")} 2>/dev/null)" != ${shq(wantSums)} ] ||`,
    `  [ ! -f ${state} ] || [ -L ${state} ]; then`,
    `  echo ${shq(GATE_STALE)}`,
    "  exit 0",
    "fi",
    // Bundle and verifier work directories an interrupted run left (plumb or the verifier killed
    // between staging and cleanup) hold resolved secrets: swept after an hour, when no run that
    // could still use them is alive (a run is bounded by --contract-timeout, 300 s by default).
    `find ${shq(layout.run)} -mindepth 1 -maxdepth 1 \\( -name 'b.*' -o -name 'v.*' \\) -mmin +${STALE_RUN_MINUTES} -exec rm -rf -- {} + 2>/dev/null || :`,
    "",
  ].join("\n");
}

/** Age after which an abandoned run directory is removed by the next delivery's gate. */
export const STALE_RUN_MINUTES = 60;

/** Probes the target and brings it to the bootstrap state (or reports what would change). */
export async function bootstrapTarget(
  t: TargetTransport,
  files: TargetFiles,
  opts: BootstrapOptions = {},
): Promise<BootstrapReport> {
  const L = opts.layout ?? TARGET_LAYOUT;
  const run = async (argv: readonly string[], what: string) => {
    const r = await t.run(argv, opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs });
    if (r.code !== 0)
      throw new PlumbError(
        "PLB789",
        `bootstrap of ${t.machine}: ${what} failed (exit ${r.code})${r.stderr.trim() ? `: ${r.stderr.trim().split("\n").slice(-3).join(" ")}` : ""}`,
        { hint: "run `plumb target bootstrap <machine>` again; see docs/servers.md" },
      );
    return r;
  };
  const want = pinOf(files.policy);
  if (want.version === null)
    throw new PlumbError("PLB999", "the target policy to install has no keyring_version", {
      source: "internal",
    });
  const dirs = layoutDirs(L);
  const filePath = (name: string) => `${L.trust}/${name}`;
  const probePaths = [...dirs.map(([p]) => p), ...FILE_ORDER.map(filePath), L.state];
  const probe = await run(
    ["sh", "-c", PROBE, "plumb-probe", filePath("policy"), ...probePaths],
    "the probe",
  );
  const { paths, pin } = parseProbe(probe.stdout, probePaths);

  // Refuse before writing anything: links, wrong types, a newer or different keyring.
  for (const p of probePaths) {
    const got = paths.get(p) as Probed;
    const isDir = dirs.some(([d]) => d === p);
    const wrongType = got.kind !== "M" && (got.kind === "D") !== isDir;
    if (got.kind === "L" || got.kind === "O" || wrongType)
      throw new PlumbError(
        "PLB789",
        `bootstrap of ${t.machine}: ${p} is ${got.kind === "L" ? "a symbolic link" : `not a ${isDir ? "directory" : "regular file"}`}`,
        {
          hint: "inspect the target: plumb writes only root-owned real files and directories there",
        },
      );
  }
  if (pin.version !== null) {
    const newer = pin.version > want.version;
    const forked = pin.version === want.version && pin.sha !== null && pin.sha !== want.sha;
    if (newer || forked)
      throw new PlumbError(
        "PLB788",
        newer
          ? `${t.machine} trusts keyring v${pin.version}; refusing to install the older v${want.version}`
          : `${t.machine} trusts a different keyring v${pin.version} (sha256 ${pin.sha?.slice(0, 12)}…, this one ${want.sha?.slice(0, 12) ?? "unpinned"}…)`,
        { hint: "pull the keyring the target trusts (git pull), then retry" },
      );
  }

  const steps: BootstrapStep[] = [];
  const fixArgs: string[] = [];
  for (const [p, mode] of dirs) {
    const got = paths.get(p) as Probed;
    if (got.kind === "M") steps.push({ path: p, action: "create-dir" });
    else if (!ownedRightly(got, mode)) steps.push({ path: p, action: "fix-owner-mode" });
    else continue;
    fixArgs.push(mode, p);
  }
  const writes: (typeof FILE_ORDER)[number][] = [];
  const fileFixes: [mode: string, path: string][] = [];
  for (const name of FILE_ORDER) {
    const got = paths.get(filePath(name)) as Probed;
    if (got.kind !== "F" || got.sha !== sha256Hex(files[name])) {
      writes.push(name);
      steps.push({ path: filePath(name), action: "write" });
    } else if (!ownedRightly(got, FILE_MODE[name])) {
      fileFixes.push([FILE_MODE[name], filePath(name)]);
      steps.push({ path: filePath(name), action: "fix-owner-mode" });
    }
  }
  const stateMissing = (paths.get(L.state) as Probed).kind === "M";
  if (stateMissing) steps.push({ path: L.state, action: "init-state" });
  const outcome: BootstrapOutcome =
    steps.length === 0 ? "current" : pin.version === null ? "installed" : "updated";
  const report = {
    machine: t.machine,
    outcome,
    steps,
    keyringVersion: want.version,
    previousKeyringVersion: pin.version,
    dryRun: opts.dryRun === true,
  };
  if (opts.dryRun === true || steps.length === 0) return report;

  if (fixArgs.length > 0)
    await run(["sh", "-c", FIX, "plumb-dirs", ...fixArgs], "creating the directories");
  // Each trust file goes to a temporary name beside its place (the trust directory is root's
  // alone; the name is this run's own, so two bootstraps at once never rename each other's),
  // then one call renames them in FILE_ORDER, sets owners and modes, and creates the replay
  // state: a crash before it leaves the old files in force, never a mix.
  const enc = new TextEncoder();
  const tag = randomBytes(6).toString("hex");
  const temp = (name: string) => `${L.trust}/.plumb-new.${tag}.${name}`;
  for (const name of writes)
    await t.put(temp(name), enc.encode(files[name]), `0${FILE_MODE[name]}`, { fresh: true });
  const finish = [
    ...writes.flatMap((n) => ["R", temp(n), filePath(n)]),
    ...fileFixes.flatMap(([mode, path]) => ["F", mode, path]),
    ...writes.flatMap((n) => ["F", FILE_MODE[n], filePath(n)]),
    ...(stateMissing ? ["S", String(want.version), L.state] : []),
  ];
  if (finish.length > 0)
    await run(
      ["sh", "-c", FINISH, "plumb-finish", ...finish],
      "installing the trust files and the replay state",
    );
  return report;
}

/** Installs or updates what a target needs to verify and run contracts (docs/servers.md). */
export async function ensureBootstrap(
  t: TargetTransport,
  files: TargetFiles,
  opts: Omit<BootstrapOptions, "dryRun"> = {},
): Promise<BootstrapOutcome> {
  return (await bootstrapTarget(t, files, opts)).outcome;
}
