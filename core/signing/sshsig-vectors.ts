// The SSHSIG negative vectors (the table in docs/signing.md), built from one good signature by changing
// one thing each. Test-only: sshsig-negative.test.ts runs them against our verifier and
// ssh-keygen -Y verify.
import { encodeBase64, wrapLines } from "./base64.js";
import { SshReader, SshWriter } from "./ssh-wire.js";
import { armorSshsig, dearmorSshsig } from "./sshsig.js";

export const NS = "contract-manifest-v1@plumb.test";
export const MESSAGE = new TextEncoder().encode(
  '#!/bin/bash\nmain() { echo ok; }; main "$@"; exit\n',
);

/** Signatures made in the test's beforeAll, from which the vectors are derived. */
export interface VectorContext {
  /** alice's signature over MESSAGE in NS. */
  readonly good: string;
  readonly goodBlob: Uint8Array;
  /** bob's (untrusted) signature over the same message. */
  readonly bobSig: string;
  readonly rsaSig: string;
  readonly ecdsaSig: string;
}

let context: VectorContext | undefined;
export function setVectorContext(c: VectorContext): void {
  context = c;
}
function ctx(): VectorContext {
  if (context === undefined) throw new Error("setVectorContext() first");
  return context;
}

/** The seven top-level fields of an SSHSIG blob, as raw field contents. */
interface Fields {
  magic: Uint8Array;
  version: number;
  publicKey: Uint8Array;
  namespace: Uint8Array;
  reserved: Uint8Array;
  hash: Uint8Array;
  signature: Uint8Array;
}

function split(blob: Uint8Array): Fields {
  const r = new SshReader(blob);
  return {
    magic: r.raw(6),
    version: r.uint32(),
    publicKey: r.string(),
    namespace: r.string(),
    reserved: r.string(),
    hash: r.string(),
    signature: r.string(),
  };
}

function join(f: Fields): Uint8Array {
  return new SshWriter()
    .raw(f.magic)
    .uint32(f.version)
    .string(f.publicKey)
    .string(f.namespace)
    .string(f.reserved)
    .string(f.hash)
    .string(f.signature)
    .bytes();
}

const text = (s: string) => new TextEncoder().encode(s);
const withFields = (change: Partial<Fields>) =>
  armorSshsig(join({ ...split(ctx().goodBlob), ...change }));
const sigValue = (alg: string, raw: Uint8Array) => new SshWriter().string(alg).string(raw).bytes();
const rawSig = () => rawOf(ctx().goodBlob);

export function rawOf(blob: Uint8Array): Uint8Array {
  const r = new SshReader(split(blob).signature);
  r.string();
  return Uint8Array.from(r.string());
}

/** S + L: the same Ed25519 signature with a non-canonical scalar (RFC 8032 §5.1.7 forbids it). */
function nonCanonicalS(raw: Uint8Array): Uint8Array {
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(raw[i] as number);
  s += L;
  const out = Uint8Array.from(raw);
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

export interface Vector {
  readonly name: string;
  readonly signature: () => string | Uint8Array;
  readonly message?: Uint8Array;
  readonly namespace?: string;
  readonly code: string;
  /** ssh-keygen's verdict: a pattern its stderr must match (exit 255), or "accepts". */
  readonly keygen: RegExp | "accepts";
}

const armorWith = (body: string, lines: (b64: string[]) => string[]) =>
  lines(wrapLines(body, 70)).join("\n");
const b64 = () => encodeBase64(ctx().goodBlob);

export const VECTORS: Vector[] = [
  {
    name: "wrong namespace",
    signature: () => ctx().good,
    namespace: "catalog-v1@plumb.test",
    code: "PLB815",
    keygen: /namespace does not match/,
  },
  {
    name: "namespace differing in case",
    signature: () => ctx().good,
    namespace: NS.toUpperCase(),
    code: "PLB815",
    keygen: /namespace does not match/,
  },
  {
    name: "namespace with a trailing space",
    signature: () => ctx().good,
    namespace: `${NS} `,
    code: "PLB815",
    keygen: /namespace does not match/,
  },
  {
    name: "empty namespace inside the signature",
    signature: () => withFields({ namespace: new Uint8Array(0) }),
    code: "PLB821",
    keygen: /namespace does not match/,
  },
  {
    name: "blob truncated by 5 bytes",
    signature: () => armorSshsig(ctx().goodBlob.subarray(0, ctx().goodBlob.length - 5)),
    code: "PLB811",
    keygen: /incomplete message/,
  },
  {
    name: "blob truncated inside the magic",
    signature: () => armorSshsig(ctx().goodBlob.subarray(0, 3)),
    code: "PLB811",
    keygen: /./,
  },
  {
    name: "1 trailing byte after the blob",
    signature: () => armorSshsig(Uint8Array.from([...ctx().goodBlob, 0])),
    code: "PLB812",
    keygen: /trailing data/,
  },
  {
    name: "field length 0xffffffff",
    signature: () => {
      const b = Uint8Array.from(ctx().goodBlob);
      b.set([0xff, 0xff, 0xff, 0xff], 10);
      return armorSshsig(b);
    },
    code: "PLB811",
    keygen: /./,
  },
  {
    name: "garbage after the armor footer",
    signature: () => `${ctx().good}garbage\n`,
    code: "PLB810",
    keygen: "accepts",
  },
  {
    name: "armor: missing header",
    signature: () => ctx().good.split("\n").slice(1).join("\n"),
    code: "PLB810",
    keygen: /missing header/,
  },
  {
    name: "armor: missing footer",
    signature: () => ctx().good.split("\n").slice(0, -2).join("\n"),
    code: "PLB810",
    keygen: /missing footer/,
  },
  {
    name: "armor: CRLF line endings",
    signature: () => ctx().good.replace(/\n/g, "\r\n"),
    code: "PLB810",
    keygen: /missing header/,
  },
  {
    name: "armor: leading blank line",
    signature: () => `\n${ctx().good}`,
    code: "PLB810",
    keygen: /missing header/,
  },
  {
    name: "armor: non-base64 character",
    signature: () => ctx().good.replace(/\n([A-Za-z0-9+/])/, "\n*$1"),
    code: "PLB810",
    keygen: /./,
  },
  {
    name: "armor: blank line in the body",
    signature: () =>
      armorWith(b64(), (l) => [
        "-----BEGIN SSH SIGNATURE-----",
        ...l.slice(0, 1),
        "",
        ...l.slice(1),
        "-----END SSH SIGNATURE-----",
        "",
      ]),
    code: "PLB810",
    keygen: "accepts",
  },
  {
    name: "magic SSHSIH",
    signature: () => withFields({ magic: text("SSHSIH") }),
    code: "PLB813",
    keygen: /./,
  },
  {
    name: "version 2",
    signature: () => withFields({ version: 2 }),
    code: "PLB814",
    keygen: /version 2 is larger than supported/,
  },
  // ssh-keygen only refuses versions above 1, and the version is not part of the signed data.
  {
    name: "version 0",
    signature: () => withFields({ version: 0 }),
    code: "PLB814",
    keygen: "accepts",
  },
  {
    name: "hash algorithm sha1",
    signature: () => withFields({ hash: text("sha1") }),
    code: "PLB816",
    keygen: /unsupported hash algorithm/,
  },
  {
    name: "hash algorithm SHA512 (case)",
    signature: () => withFields({ hash: text("SHA512") }),
    code: "PLB816",
    keygen: /unsupported hash algorithm/,
  },
  {
    name: "hash algorithm empty",
    signature: () => withFields({ hash: new Uint8Array(0) }),
    code: "PLB816",
    keygen: /./,
  },
  {
    name: "hash label sha256 on a sha512 signature",
    signature: () => withFields({ hash: text("sha256") }),
    code: "PLB819",
    keygen: /incorrect signature/,
  },
  {
    name: "reserved field not empty",
    signature: () => withFields({ reserved: text("x") }),
    code: "PLB822",
    keygen: "accepts",
  },
  {
    name: "key type RSA (ssh-keygen -t rsa)",
    signature: () => ctx().rsaSig,
    code: "PLB817",
    keygen: /Could not verify signature/,
  },
  {
    name: "key type ECDSA (ssh-keygen -t ecdsa)",
    signature: () => ctx().ecdsaSig,
    code: "PLB817",
    keygen: /Could not verify signature/,
  },
  {
    name: "unknown key type mldsa44-ed25519",
    signature: () =>
      withFields({
        publicKey: new SshWriter().string("mldsa44-ed25519").string(new Uint8Array(32)).bytes(),
      }),
    code: "PLB817",
    keygen: /./,
  },
  {
    name: "signature algorithm ssh-rsa on an Ed25519 key",
    signature: () => withFields({ signature: sigValue("ssh-rsa", rawSig()) }),
    code: "PLB817",
    keygen: /./,
  },
  {
    name: "Ed25519 signature of 63 bytes",
    signature: () => withFields({ signature: sigValue("ssh-ed25519", rawSig().subarray(0, 63)) }),
    code: "PLB820",
    keygen: /./,
  },
  {
    name: "Ed25519 signature of 65 bytes",
    signature: () =>
      withFields({ signature: sigValue("ssh-ed25519", Uint8Array.from([...rawSig(), 0])) }),
    code: "PLB820",
    keygen: /./,
  },
  {
    name: "Ed25519 key of 31 bytes",
    signature: () =>
      withFields({
        publicKey: new SshWriter().string("ssh-ed25519").string(new Uint8Array(31)).bytes(),
      }),
    code: "PLB820",
    keygen: /./,
  },
  {
    name: "signed by a different key (bob)",
    signature: () => ctx().bobSig,
    code: "PLB818",
    keygen: /Could not verify signature/,
  },
  {
    name: "alice's key embedded, bob's signature",
    signature: () =>
      withFields({
        signature: sigValue("ssh-ed25519", rawOf(dearmorSshsig(ctx().bobSig))),
      }),
    code: "PLB819",
    keygen: /incorrect signature/,
  },
  {
    name: "message altered by one byte",
    signature: () => ctx().good,
    message: Uint8Array.from(MESSAGE, (b, i) => (i === 5 ? b ^ 1 : b)),
    code: "PLB819",
    keygen: /incorrect signature/,
  },
  {
    name: "message empty (signature over a non-empty one)",
    signature: () => ctx().good,
    message: new Uint8Array(0),
    code: "PLB819",
    keygen: /incorrect signature/,
  },
  {
    name: "message with one byte appended",
    signature: () => ctx().good,
    message: Uint8Array.from([...MESSAGE, 0x0a]),
    code: "PLB819",
    keygen: /incorrect signature/,
  },
  {
    name: "one bit flipped in the signature",
    signature: () =>
      withFields({
        signature: sigValue(
          "ssh-ed25519",
          rawSig().map((b, i) => (i === 40 ? b ^ 0x10 : b)),
        ),
      }),
    code: "PLB819",
    keygen: /incorrect signature/,
  },
  {
    name: "non-canonical S (S + L)",
    signature: () => withFields({ signature: sigValue("ssh-ed25519", nonCanonicalS(rawSig())) }),
    code: "PLB819",
    keygen: "accepts",
  },
];
