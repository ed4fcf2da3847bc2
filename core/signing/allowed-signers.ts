// OpenSSH allowed_signers files (ssh-keygen(1), ALLOWED SIGNERS): the trust file a target hands
// to `ssh-keygen -Y verify`. Parsing follows sshsig.c; unsupported features (certificate
// authorities, non-Ed25519 keys, local-time validity) are refused, never skipped, so the file
// plumbline reads is the file ssh-keygen enforces.
import { AllowedSignersError, KeyError } from "./errors.js";
import { formatPublicKey, parsePublicKey, type SshPublicKey } from "./public-key.js";

export interface AllowedSigner {
  /** The principal patterns of the first field, in file order. */
  readonly principals: readonly string[];
  /** `namespaces="…"` patterns; undefined means every namespace. */
  readonly namespaces?: readonly string[] | undefined;
  /** `valid-after`: the key is accepted at this instant and later. */
  readonly validAfter?: Date | undefined;
  /** `valid-before`: the key is accepted up to and including this instant. */
  readonly validBefore?: Date | undefined;
  /** The key; its comment is the text after the key on the line. */
  readonly publicKey: SshPublicKey;
  /** 1-based line number in the parsed file (0 for entries built in code). */
  readonly line: number;
}

/** Key type names OpenSSH can read (so a line holding one has no options field). */
const KEY_TYPE =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-\S+@openssh\.com|\S+-cert-v01@openssh\.com)$/;

/** Parses a whole allowed_signers file; errors carry the 1-based line number. */
export function parseAllowedSigners(text: string): AllowedSigner[] {
  const out: AllowedSigner[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const trimmed = line.replace(/^[ \t]+/, "");
    if (trimmed === "" || trimmed.startsWith("#")) return;
    out.push(parseLine(trimmed, index + 1));
  });
  return out;
}

function parseLine(text: string, line: number): AllowedSigner {
  const syntax = (message: string) => new AllowedSignersError("PLB830", line, message);
  const first = takePrincipals(text, line);
  let rest = first.rest;
  const nextWord = /^\S+/.exec(rest)?.[0] ?? "";
  if (nextWord === "") throw syntax("missing key after the principals");
  let options: Options = {};
  if (!KEY_TYPE.test(nextWord)) {
    const end = optionsEnd(rest, line);
    options = parseOptions(rest.slice(0, end), line);
    rest = rest.slice(end).replace(/^[ \t]+/, "");
    if (rest === "") throw syntax("missing key after the options");
  }
  let publicKey: SshPublicKey;
  try {
    publicKey = parsePublicKey(rest);
  } catch (e) {
    if (e instanceof KeyError && e.code === "PLB802") {
      throw new AllowedSignersError("PLB831", line, e.message, { cause: e, hint: e.hint ?? "" });
    }
    throw syntax(`invalid key: ${(e as Error).message}`);
  }
  return { principals: first.principals, ...options, publicKey, line };
}

function takePrincipals(text: string, line: number): { principals: string[]; rest: string } {
  let field: string;
  let rest: string;
  if (text.startsWith('"')) {
    const close = text.indexOf('"', 1);
    if (close < 0) throw new AllowedSignersError("PLB830", line, "unterminated quoted principals");
    field = text.slice(1, close);
    rest = text.slice(close + 1);
    if (rest !== "" && !/^[ \t]/.test(rest)) {
      throw new AllowedSignersError("PLB830", line, "text directly after the quoted principals");
    }
  } else {
    field = /^\S+/.exec(text)?.[0] ?? "";
    rest = text.slice(field.length);
    if (field.includes('"')) {
      throw new AllowedSignersError("PLB830", line, "a quote inside the principals field");
    }
  }
  const principals = field.split(",");
  if (principals.some((p) => p === "")) {
    throw new AllowedSignersError("PLB830", line, "empty principal in the principals list");
  }
  return { principals, rest: rest.replace(/^[ \t]+/, "") };
}

/** Index of the first space or tab outside double quotes (sshkey_advance_past_options). */
function optionsEnd(text: string, line: number): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && text[i + 1] === '"') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && (c === " " || c === "\t")) return i;
  }
  if (quoted) throw new AllowedSignersError("PLB830", line, "unterminated quote in the options");
  return text.length;
}

interface Options {
  namespaces?: string[];
  validAfter?: Date;
  validBefore?: Date;
}

function parseOptions(text: string, line: number): Options {
  const syntax = (message: string) => new AllowedSignersError("PLB830", line, message);
  const out: Options = {};
  let at = 0;
  while (at < text.length) {
    const name = /^[A-Za-z-]+/.exec(text.slice(at))?.[0] ?? "";
    const lower = name.toLowerCase();
    at += name.length;
    if (lower === "cert-authority") {
      throw new AllowedSignersError("PLB831", line, "cert-authority is not supported", {
        hint: "list each signer's Ed25519 key instead of a certificate authority",
      });
    }
    if (lower !== "namespaces" && lower !== "valid-after" && lower !== "valid-before") {
      throw syntax(`unknown option ${JSON.stringify(name || text.slice(at, at + 20))}`);
    }
    if (text.slice(at, at + 2) !== '="') throw syntax(`option ${name} needs ="…"`);
    at += 2;
    let value = "";
    while (at < text.length && text[at] !== '"') {
      if (text[at] === "\\" && text[at + 1] === '"') at++;
      value += text[at];
      at++;
    }
    if (at >= text.length) throw syntax(`unterminated value of ${name}`);
    at++;
    if (lower === "namespaces") {
      if (out.namespaces !== undefined) throw syntax("namespaces given twice");
      out.namespaces = value.split(",");
    } else {
      const key = lower === "valid-after" ? "validAfter" : "validBefore";
      if (out[key] !== undefined) throw syntax(`${name} given twice`);
      out[key] = parseTime(value, line);
    }
    if (at < text.length) {
      if (text[at] !== ",") throw syntax(`unexpected ${JSON.stringify(text[at])} in the options`);
      at++;
      if (at === text.length) throw syntax("options end with a comma");
    }
  }
  if (out.validAfter && out.validBefore && out.validBefore <= out.validAfter) {
    throw syntax("valid-before is not after valid-after");
  }
  return out;
}

/** YYYYMMDD[HHMM[SS]] followed by Z (UTC). Without Z ssh-keygen uses local time: refused. */
function parseTime(value: string, line: number): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?([Zz]?)$/.exec(value);
  if (m === null) {
    throw new AllowedSignersError("PLB830", line, `invalid time ${JSON.stringify(value)}`, {
      hint: "write YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS followed by Z",
    });
  }
  const [, y, mo, d, h = "00", mi = "00", s = "00", zone] = m;
  if (zone === "") {
    throw new AllowedSignersError("PLB831", line, `time ${value} has no Z (local time)`, {
      hint: `write ${value}Z so every machine reads the same instant`,
    });
  }
  const date = new Date(Date.UTC(+(y as string), +(mo as string) - 1, +(d as string), +h, +mi, +s));
  // Date.UTC rolls 20250230 over to March; a round trip catches impossible dates.
  if (formatTime(date) !== `${y}${mo}${d}${h}${mi}${s}Z`) {
    throw new AllowedSignersError("PLB830", line, `impossible date ${JSON.stringify(value)}`);
  }
  return date;
}

function formatTime(date: Date): string {
  const iso = date.toISOString(); // 2026-05-01T12:34:56.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** Characters that would change how OpenSSH splits or matches a field we write. */
const UNSAFE_PRINCIPAL = /[\s,"*?!\\]|^#/;
const UNSAFE_NAMESPACE = /[\s,"*?!\\]/;

/**
 * Writes entries as allowed_signers lines, one per entry, with a trailing newline. Refuses
 * wildcards and separators in principals and namespaces: a generated `*` would trust a key for
 * every identity. Times are written in UTC (`…Z`) to whole seconds.
 */
export function formatAllowedSigners(entries: readonly AllowedSigner[]): string {
  return entries.map((e, i) => `${formatEntry(e, i + 1)}\n`).join("");
}

function formatEntry(e: AllowedSigner, index: number): string {
  const bad = (message: string) => new AllowedSignersError("PLB830", index, message);
  if (e.principals.length === 0) throw bad("an entry needs at least one principal");
  for (const p of e.principals) {
    if (p === "" || UNSAFE_PRINCIPAL.test(p)) throw bad(`unsafe principal ${JSON.stringify(p)}`);
  }
  const options: string[] = [];
  if (e.namespaces !== undefined) {
    if (e.namespaces.length === 0) throw bad("an empty namespaces list would allow nothing");
    for (const n of e.namespaces) {
      if (n === "" || UNSAFE_NAMESPACE.test(n)) throw bad(`unsafe namespace ${JSON.stringify(n)}`);
    }
    options.push(`namespaces="${e.namespaces.join(",")}"`);
  }
  for (const [name, date] of [
    ["valid-after", e.validAfter],
    ["valid-before", e.validBefore],
  ] as const) {
    if (date === undefined) continue;
    const t = date.getTime();
    if (!Number.isFinite(t) || t % 1000 !== 0 || t < 0 || date.getUTCFullYear() > 9999) {
      throw bad(`${name} must be a whole second between 1970 and 9999`);
    }
    options.push(`${name}="${formatTime(date)}"`);
  }
  if (e.validAfter && e.validBefore && e.validBefore <= e.validAfter) {
    throw bad("valid-before is not after valid-after");
  }
  const opts = options.length === 0 ? "" : ` ${options.join(",")}`;
  return `${e.principals.join(",")}${opts} ${formatPublicKey(e.publicKey)}`;
}

/**
 * OpenSSH match_pattern_list: comma-separated `*`/`?` patterns, `!` negates. 1 = allowed,
 * -1 = a negated pattern matched (this wins), 0 = nothing matched.
 */
export function matchPatternList(name: string, patterns: readonly string[]): -1 | 0 | 1 {
  let result: 0 | 1 = 0;
  for (const raw of patterns) {
    const negated = raw.startsWith("!");
    if (!globMatch(name, negated ? raw.slice(1) : raw)) continue;
    if (negated) return -1;
    result = 1;
  }
  return result;
}

function globMatch(name: string, pattern: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "s").test(name);
}

/** Whether ssh-keygen -Y verify would accept this entry for `principal`, `namespace`, `at`. */
export function entryPermits(
  e: AllowedSigner,
  request: { readonly principal: string; readonly namespace: string; readonly at: Date },
): boolean {
  if (matchPatternList(request.principal, e.principals) !== 1) return false;
  if (e.namespaces !== undefined && matchPatternList(request.namespace, e.namespaces) !== 1) {
    return false;
  }
  const t = Math.floor(request.at.getTime() / 1000) * 1000;
  if (e.validAfter !== undefined && t < e.validAfter.getTime()) return false;
  if (e.validBefore !== undefined && t > e.validBefore.getTime()) return false;
  return true;
}
