// Differential tests of the contract policy: every vector goes through the TypeScript verifier
// (core/trust/verify.ts) and through the target-side plumb-verify (Bash + the real ssh-keygen).
// Both must refuse each negative vector; where the check is not a signature-level one, both
// must name the same code. (ssh-keygen reports signature failures without detail, so the
// target-side verifier says PLB877 for all of them, while the TS verifier is specific.)
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlumbError } from "../errors.js";
import { generateEd25519Key, type OpensshPrivateKey } from "../signing/openssh-private-key.js";
import { fingerprint } from "../signing/public-key.js";
import { keySigner } from "../signing/signer.js";
import { armorSshsig, dearmorSshsig, signSshsig } from "../signing/sshsig.js";
import { type Keyring, keyText, namespaceFor } from "./keyring.js";
import { buildManifest, type ContractManifest } from "./manifest.js";
import { targetTrustFiles } from "./target-files.js";
import { type Bundle, type HighWater, verifyContract } from "./verify.js";

const NOW = new Date("2026-06-01T12:00:00Z");
const NOW_ISO = "2026-06-01T12:00:00Z";
const enc = new TextEncoder();
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

let dir: string;
let keys: Record<"a" | "b" | "stranger" | "revoked" | "expired", OpensshPrivateKey>;
let keyring: Keyring;

function makeKeyring(version = 1): Keyring {
  const entry = (k: OpensshPrivateKey, principal: string, extra: object = {}) =>
    [fingerprint(k.publicKey), { principal, public_key: keyText(k.publicKey), ...extra }] as const;
  const fp = (k: OpensshPrivateKey) => fingerprint(k.publicKey);
  return {
    type: "plumb-keyring",
    schema: 1,
    org: "acme",
    version,
    expires: "2027-01-01T00:00:00Z",
    keys: Object.fromEntries([
      entry(keys.a, "alice"),
      entry(keys.b, "bob"),
      entry(keys.revoked, "mallory"),
      entry(keys.expired, "eve", { valid_before: "2026-01-01T00:00:00Z" }),
    ]),
    roles: {
      keyring: { keys: [fp(keys.a)], threshold: 1 },
      contract: {
        keys: [fp(keys.a), fp(keys.b), fp(keys.revoked), fp(keys.expired)],
        threshold: 2,
      },
    },
    // Revoked while still listed in the contract role: revocation must win.
    revoked: [keyText(keys.revoked.publicKey)],
  };
}

const SCRIPT = enc.encode("#!/usr/bin/env bash\necho contract ran\n");
const HFC = enc.encode('{"hfc":1}\n');

function manifest(over: Partial<ContractManifest> = {}): ContractManifest {
  return {
    type: "plumb-contract-manifest",
    schema: 1,
    contract: "c-0123456789abcdef01234567",
    template: "motd@1.0.0",
    target: "web-1",
    seq: 10,
    keyring_version: 1,
    not_before: "2026-05-01T00:00:00Z",
    expires: "2026-07-01T00:00:00Z",
    subject: { name: "contract.sh", sha256: sha256(SCRIPT) },
    hfc_sha256: sha256(HFC),
    git_commit: null,
    ...over,
  };
}

const sign = (
  bytes: Uint8Array,
  k: OpensshPrivateKey,
  ns = namespaceFor("contract-manifest", "acme"),
) => signSshsig(bytes, ns, keySigner(k)).then(enc.encode.bind(enc));

async function bundle(
  opts: { m?: Partial<ContractManifest>; signers?: OpensshPrivateKey[]; ns?: string } = {},
): Promise<Bundle> {
  const bytes = buildManifest(manifest(opts.m));
  const signers = opts.signers ?? [keys.a, keys.b];
  const signatures = await Promise.all(
    signers.map(async (k, i) => ({ name: `${i}.sig`, bytes: await sign(bytes, k, opts.ns) })),
  );
  return { script: SCRIPT, hfc: HFC, manifest: bytes, signatures };
}

interface Outcome {
  ok: boolean;
  code: string;
}

function tsVerify(
  b: Bundle,
  highWater: HighWater | null | undefined = { keyring_version: 1, seq: 5 },
  trusted = keyring,
): Outcome {
  try {
    verifyContract(b, trusted, {
      now: NOW,
      target: "web-1",
      ...(highWater === undefined ? {} : { highWater }),
    });
    return { ok: true, code: "verified" };
  } catch (e) {
    if (!(e instanceof PlumbError)) throw e;
    return { ok: false, code: e.code };
  }
}

let run = 0;
function bashVerify(b: Bundle, state: string | null = "1 5\n", trusted = keyring): Outcome {
  const root = join(dir, `run-${++run}`);
  const bdir = join(root, "bundle");
  mkdirSync(join(bdir, "signatures"), { recursive: true });
  writeFileSync(join(bdir, "contract.sh"), b.script);
  writeFileSync(join(bdir, "hfc.json"), b.hfc);
  writeFileSync(join(bdir, "manifest.json"), b.manifest);
  for (const s of b.signatures) writeFileSync(join(bdir, "signatures", s.name), s.bytes);
  const tdir = join(root, "trust");
  mkdirSync(tdir);
  for (const [name, text] of Object.entries(targetTrustFiles(trusted)))
    writeFileSync(join(tdir, name), text);
  const stateFile = join(root, "state");
  if (state !== null) writeFileSync(stateFile, state);
  const r = spawnSync(
    "bash",
    [
      join(tdir, "plumb-verify"),
      "--trust",
      tdir,
      "--state",
      stateFile,
      "--target",
      "web-1",
      "--now",
      NOW_ISO,
      "--run-dir",
      join(root, "run"),
      "--verify-only",
      bdir,
    ],
    { encoding: "utf8" },
  );
  const m = /PLUMB-VERIFY \{"status":"(ok|refused)","code":"([A-Za-z0-9]+)"\}/.exec(r.stdout);
  if (!m) throw new Error(`no result line: ${r.stdout}\n${r.stderr}`);
  expect(r.status).toBe(m[1] === "ok" ? 0 : 1);
  return { ok: m[1] === "ok", code: m[2] as string };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "plumb-diff-"));
  keys = {
    a: generateEd25519Key("a"),
    b: generateEd25519Key("b"),
    stranger: generateEd25519Key("s"),
    revoked: generateEd25519Key("r"),
    expired: generateEd25519Key("e"),
  };
  keyring = makeKeyring();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("contract verification: TypeScript vs target-side plumb-verify (real ssh-keygen)", () => {
  it("accepts a contract signed by two distinct trusted keys", async () => {
    const b = await bundle();
    expect(tsVerify(b)).toEqual({ ok: true, code: "verified" });
    expect(bashVerify(b)).toEqual({ ok: true, code: "verified" });
  });

  // [name, build, TS code, target-side code]
  const vectors: [
    string,
    () => Promise<{ b: Bundle; hw?: HighWater | null; state?: string | null; trusted?: Keyring }>,
    string,
    string,
  ][] = [
    [
      "signature in the wrong namespace",
      async () => ({ b: await bundle({ ns: namespaceFor("contract-manifest", "other") }) }),
      "PLB815",
      "PLB877",
    ],
    [
      "keyring-namespace signature presented as a contract signature",
      async () => ({ b: await bundle({ ns: namespaceFor("keyring", "acme") }) }),
      "PLB815",
      "PLB877",
    ],
    [
      "signature by a key that is not trusted",
      async () => ({ b: await bundle({ signers: [keys.a, keys.stranger] }) }),
      "PLB874",
      "PLB877",
    ],
    [
      "signature by a revoked key still listed in the role",
      async () => ({ b: await bundle({ signers: [keys.a, keys.revoked] }) }),
      "PLB875",
      "PLB877",
    ],
    [
      "signature by a key past its valid_before",
      async () => ({ b: await bundle({ signers: [keys.a, keys.expired] }) }),
      "PLB876",
      "PLB877",
    ],
    [
      "threshold 2 met by the same key twice",
      async () => ({ b: await bundle({ signers: [keys.a, keys.a] }) }),
      "PLB877",
      "PLB877",
    ],
    [
      "threshold 2 with one signature",
      async () => ({ b: await bundle({ signers: [keys.a] }) }),
      "PLB877",
      "PLB877",
    ],
    [
      "no signature at all",
      async () => ({ b: { ...(await bundle()), signatures: [] } }),
      "PLB877",
      "PLB877",
    ],
    [
      "truncated signature blob (re-armored)",
      async () => {
        const b = await bundle();
        const blob = dearmorSshsig(b.signatures[1]?.bytes ?? new Uint8Array());
        const cut = enc.encode(armorSshsig(blob.subarray(0, blob.length - 7)));
        return {
          b: {
            ...b,
            signatures: [b.signatures[0] as Bundle["signatures"][0], { name: "1.sig", bytes: cut }],
          },
        };
      },
      "PLB811",
      "PLB877",
    ],
    [
      "signature armor with a line missing",
      async () => {
        const b = await bundle();
        const lines = Buffer.from(b.signatures[1]?.bytes ?? [])
          .toString()
          .split("\n");
        lines.splice(2, 1);
        return {
          b: {
            ...b,
            signatures: [
              b.signatures[0] as Bundle["signatures"][0],
              { name: "1.sig", bytes: enc.encode(lines.join("\n")) },
            ],
          },
        };
      },
      "PLB810",
      "PLB877",
    ],
    [
      "manifest changed by one byte after signing",
      async () => {
        const b = await bundle();
        const m = Buffer.from(b.manifest);
        m[m.indexOf("web-1") + 4] = "2".charCodeAt(0);
        return { b: { ...b, manifest: new Uint8Array(m) } };
      },
      "PLB819",
      "PLB877",
    ],
    [
      "contract for another target",
      async () => ({ b: await bundle({ m: { target: "web-2" } }) }),
      "PLB879",
      "PLB879",
    ],
    [
      "expired manifest",
      async () => ({ b: await bundle({ m: { expires: "2026-05-31T00:00:00Z" } }) }),
      "PLB880",
      "PLB880",
    ],
    [
      "manifest not valid yet",
      async () => ({ b: await bundle({ m: { not_before: "2026-06-02T00:00:00Z" } }) }),
      "PLB880",
      "PLB880",
    ],
    [
      "manifest under an old keyring version",
      async () => {
        const b = await bundle();
        return {
          b,
          trusted: { ...keyring, version: 2 },
          hw: { keyring_version: 2, seq: 0 },
          state: "2 0\n",
        };
      },
      "PLB881",
      "PLB881",
    ],
    [
      "replay: sequence equal to the high-water mark",
      async () => ({ b: await bundle(), hw: { keyring_version: 1, seq: 10 }, state: "1 10\n" }),
      "PLB883",
      "PLB883",
    ],
    [
      "old contract: sequence below the high-water mark",
      async () => ({ b: await bundle(), hw: { keyring_version: 1, seq: 99 }, state: "1 99\n" }),
      "PLB883",
      "PLB883",
    ],
    [
      "replay state missing",
      async () => ({ b: await bundle(), hw: null, state: null }),
      "PLB884",
      "PLB884",
    ],
    [
      "replay state corrupt",
      async () => ({ b: await bundle(), hw: null, state: "garbage\n" }),
      "PLB884",
      "PLB884",
    ],
    [
      "script swapped after signing",
      async () => ({
        b: { ...(await bundle()), script: enc.encode("#!/usr/bin/env bash\nrm -rf /\n") },
      }),
      "PLB882",
      "PLB882",
    ],
    [
      "hfc.json swapped after signing",
      async () => ({ b: { ...(await bundle()), hfc: enc.encode("{}") } }),
      "PLB882",
      "PLB882",
    ],
  ];

  for (const [name, build, tsCode, targetCode] of vectors) {
    it(`refuses: ${name} (TS ${tsCode}, target ${targetCode})`, async () => {
      const v = await build();
      expect(
        tsVerify(v.b, v.hw === undefined ? { keyring_version: 1, seq: 5 } : v.hw, v.trusted),
      ).toEqual({ ok: false, code: tsCode });
      expect(bashVerify(v.b, v.state === undefined ? "1 5\n" : v.state, v.trusted)).toEqual({
        ok: false,
        code: targetCode,
      });
    });
  }

  it("property: any single-byte change anywhere in a signed bundle (signature files' trailing bytes included) is refused by both verifiers", async () => {
    const b = await bundle();
    const parts = ["manifest", "script", "hfc", "sig0", "sig1"] as const;
    type Edit = "xor" | "drop" | "append";
    const edit = (u: Uint8Array, kind: Edit, at: number, xor: number) => {
      if (kind === "drop") return u.subarray(0, u.length - 1 - (at % 2)); // trailing byte(s) gone
      if (kind === "append") return new Uint8Array([...u, xor]);
      const c = new Uint8Array(u);
      const i = at % c.length;
      c[i] = (c[i] as number) ^ xor;
      return c;
    };
    const mutate = (which: (typeof parts)[number], kind: Edit, at: number, xor: number): Bundle => {
      if (which === "manifest") return { ...b, manifest: edit(b.manifest, kind, at, xor) };
      if (which === "script") return { ...b, script: edit(b.script, kind, at, xor) };
      if (which === "hfc") return { ...b, hfc: edit(b.hfc, kind, at, xor) };
      const i = which === "sig0" ? 0 : 1;
      return {
        ...b,
        signatures: b.signatures.map((s, j) =>
          j === i ? { ...s, bytes: edit(s.bytes, kind, at, xor) } : s,
        ),
      };
    };
    // Every trailing byte of each signature file, explicitly (the malleable spots).
    for (const which of ["sig0", "sig1"] as const) {
      const len = (b.signatures[which === "sig0" ? 0 : 1] as { bytes: Uint8Array }).bytes.length;
      for (const [kind, at, xor] of [
        ["drop", 0, 0],
        ["append", 0, 10],
        ["append", 0, 32],
        ["xor", len - 1, 0x0a ^ 0x0d],
        ["xor", len - 2, 1],
      ] as const) {
        const m = mutate(which, kind, at, xor);
        expect(tsVerify(m).ok, `${which} ${kind} ${at}`).toBe(false);
        expect(bashVerify(m).ok, `${which} ${kind} ${at} (target)`).toBe(false);
      }
    }
    let sampled = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...parts),
        fc.constantFrom<Edit>("xor", "xor", "xor", "drop", "append"),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (which, kind, at, xor) => {
          const m = mutate(which, kind, at, xor);
          expect(tsVerify(m).ok).toBe(false);
          if (sampled++ < 12) expect(bashVerify(m).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  }, 240_000);
});
