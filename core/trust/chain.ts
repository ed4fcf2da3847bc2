// The keyring as a verified chain (TUF-style root rotation). Every version is kept
// (keys/history/<N>/ plus the current keys/keyring.json); a reader trusts the current keyring
// only after walking from a pinned root to it: each version N+1 is exactly N+1, keeps the org,
// never un-revokes a key and is signed by the keyring-role threshold of N and of itself, and
// the final version is unexpired. Pins: the highest version this machine verified before (so a
// rollback or a rewritten history is refused), CI's PLUMB_KEYRING_PIN, a target's policy.
import { createHash } from "node:crypto";
import { PlumbError } from "../errors.js";
import { type Keyring, parseKeyring } from "./keyring.js";
import type { SignatureFile } from "./signature-set.js";
import { verifyKeyring } from "./verify.js";

export interface KeyringVersionFiles {
  /** Where it was read from (for messages): `keys/history/3` or `keys/keyring.json`. */
  readonly source: string;
  readonly bytes: Uint8Array;
  readonly signatures: readonly SignatureFile[];
}

/** A trusted (version, sha256 of keyring.json bytes) pair and who asserts it. */
export interface KeyringPin {
  readonly version: number;
  readonly sha256: string;
  readonly from: string;
}

export interface ChainLink {
  readonly version: number;
  readonly sha256: string;
  readonly expires: string;
  readonly source: string;
  /** `root` (pinned or first), `rotation` (verified against the previous link). */
  readonly kind: "root" | "rotation";
}

export interface VerifiedChain {
  readonly keyring: Keyring;
  readonly bytes: Uint8Array;
  readonly sha256: string;
  readonly links: readonly ChainLink[];
  readonly root: { readonly version: number; readonly from: string };
}

export const sha256Hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** `PLUMB_KEYRING_PIN=<version>:<sha256>` (also the form `plumb keys verify` prints). */
export function parsePin(text: string, from: string): KeyringPin {
  const m = /^v?([1-9][0-9]{0,15}):(?:sha256:)?([0-9a-f]{64})$/.exec(text.trim());
  if (!m)
    throw new PlumbError("PLB846", `${from}: '${text}' is not <version>:<sha256>`, {
      hint: "copy the pin printed by `plumb keys verify` (e.g. 3:9f86d0…)",
    });
  return { version: Number(m[1]), sha256: m[2] as string, from };
}

const broken = (message: string) =>
  new PlumbError("PLB843", `keyring chain: ${message}`, {
    hint: "restore keys/ (keyring.json, keyring.sig.d/ and history/) from a trusted commit",
  });

/**
 * Verifies the chain `history` (superseded versions, any order) + `current` from the highest
 * pin (or, without pins, from version 1) to `current`. Throws PLB843/844/845/846/87x.
 */
export function verifyChain(
  history: readonly KeyringVersionFiles[],
  current: KeyringVersionFiles,
  now: Date,
  pins: readonly KeyringPin[] = [],
): VerifiedChain {
  const byVersion = new Map<number, KeyringVersionFiles & { keyring: Keyring; sha: string }>();
  for (const f of [...history, current]) {
    const keyring = parseKeyring(f.bytes);
    const sha = sha256Hex(f.bytes);
    const seen = byVersion.get(keyring.version);
    if (seen && seen.sha !== sha)
      throw broken(`${f.source} and ${seen.source} are two different v${keyring.version}`);
    if (!seen || f === current) byVersion.set(keyring.version, { ...f, keyring, sha });
  }
  const top = parseKeyring(current.bytes).version;
  if ([...byVersion.keys()].some((v) => v > top))
    throw broken(`the history holds a version above keys/keyring.json (v${top})`);

  let root: KeyringPin | undefined;
  for (const pin of pins) {
    if (pin.version > top)
      throw new PlumbError(
        "PLB844",
        `keys/keyring.json is v${top}, but ${pin.from} already trusts v${pin.version}: rollback refused`,
        { hint: "restore keys/ from the newer commit; a keyring never goes backwards" },
      );
    const at = byVersion.get(pin.version);
    if (!at)
      throw new PlumbError(
        "PLB846",
        `${pin.from} trusts v${pin.version}, which is not in keys/history/`,
        { hint: "the history must keep every version from the pinned one on" },
      );
    if (at.sha !== pin.sha256)
      throw new PlumbError(
        "PLB845",
        `${at.source} (v${pin.version}) differs from the v${pin.version} ${pin.from} trusts (sha256 ${pin.sha256.slice(0, 16)}…, found ${at.sha.slice(0, 16)}…)`,
        { hint: "the keyring history was rewritten; restore keys/ from a trusted commit" },
      );
    if (!root || pin.version > root.version) root = pin;
  }
  const start = root?.version ?? 1;
  const first = byVersion.get(start);
  if (!first)
    throw broken(
      `no v${start} to start from (without a pin the chain starts at v1; set PLUMB_KEYRING_PIN)`,
    );
  // The root is trusted by pin (or first use); it must still carry its own signatures.
  verifyKeyring(first.bytes, first.signatures, now, undefined, start !== top);
  const links: ChainLink[] = [
    {
      version: start,
      sha256: first.sha,
      expires: first.keyring.expires,
      source: first.source,
      kind: "root",
    },
  ];
  let prev = first;
  for (let v = start + 1; v <= top; v++) {
    const next = byVersion.get(v);
    if (!next) throw broken(`v${v} is missing between v${v - 1} and v${top}`);
    verifyKeyring(
      next.bytes,
      next.signatures,
      now,
      { keyring: prev.keyring, bytes: prev.bytes },
      v !== top,
    );
    links.push({
      version: v,
      sha256: next.sha,
      expires: next.keyring.expires,
      source: next.source,
      kind: "rotation",
    });
    prev = next;
  }
  return {
    keyring: prev.keyring,
    bytes: prev.bytes,
    sha256: prev.sha,
    links,
    root: { version: start, from: root?.from ?? "first use (no pin)" },
  };
}
