// Differential property of the byte-exact signature check: plumb-verify does it in Bash alone
// (no child process, see core/trust/verifier-script.ts `byte_exact`), the TypeScript verifier by
// re-armoring the decoded blob (core/trust/signature-set.ts `checkByteExact`). Random blobs,
// armored by plumb, then changed the ways a forger or a careless copy would: both must agree on
// every file, accepted or refused.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { armorSshsig } from "../signing/sshsig.js";
import { checkByteExact } from "./signature-set.js";
import { VERIFIER_SCRIPT } from "./verifier-script.js";

const FUNCTION = /^ {2}byte_exact\(\) \{\n[\s\S]*?\n {2}\}\n/m.exec(VERIFIER_SCRIPT)?.[0];
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

let dir: string;
let n = 0;

function bashSays(bytes: Uint8Array): boolean {
  const file = join(dir, `${++n}.sig`);
  writeFileSync(file, bytes);
  const r = spawnSync(
    "bash",
    ["--noprofile", "--norc", "-c", `${FUNCTION}\nbyte_exact "$1"`, "check", file],
    { env: { PATH: "/usr/bin:/bin", LC_ALL: "C" } },
  );
  if (r.status !== 0 && r.status !== 1) throw new Error(`bash: ${r.stderr}`);
  return r.status === 0;
}

function tsSays(bytes: Uint8Array): boolean {
  try {
    checkByteExact({ name: "x.sig", bytes });
    return true;
  } catch {
    return false;
  }
}

const enc = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

type Mutation = (armor: string) => Uint8Array;
const mutation: fc.Arbitrary<[string, Mutation]> = fc.oneof(
  fc.constant<[string, Mutation]>(["none", (a) => enc(a)]),
  fc.integer({ min: 1, max: 100 }).map((w): [string, Mutation] => [
    `rewrapped at ${w}`,
    (a) => {
      const lines = a.split("\n");
      const body = lines.slice(1, -2).join("");
      const out = [lines[0] as string];
      for (let i = 0; i < body.length; i += w) out.push(body.slice(i, i + w));
      return enc([...out, lines.at(-2) as string, ""].join("\n"));
    },
  ]),
  fc.nat(63).map((c): [string, Mutation] => [
    `last data character before the padding set to ${ALPHABET[c]}`,
    (a) => {
      const at = a.lastIndexOf("=", a.length - 30);
      if (at < 0) return enc(a);
      const first = a.indexOf("=", at - 2) === at - 1 ? at - 2 : at - 1;
      return enc(a.slice(0, first) + ALPHABET[c] + a.slice(first + 1));
    },
  ]),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([p, b]): [string, Mutation] => [
    `byte ${b} inserted`,
    (a) => {
      const x = enc(a);
      const at = p % (x.length + 1);
      return new Uint8Array([...x.subarray(0, at), b, ...x.subarray(at)]);
    },
  ]),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([p, b]): [string, Mutation] => [
    `byte replaced by ${b}`,
    (a) => {
      const x = enc(a);
      x[p % x.length] = b;
      return x;
    },
  ]),
  fc.nat().map((p): [string, Mutation] => [
    "byte deleted",
    (a) => {
      const x = enc(a);
      const at = p % x.length;
      return new Uint8Array([...x.subarray(0, at), ...x.subarray(at + 1)]);
    },
  ]),
  fc.constant<[string, Mutation]>(["CRLF line ends", (a) => enc(a.replaceAll("\n", "\r\n"))]),
  fc.constant<[string, Mutation]>(["one more newline", (a) => enc(`${a}\n`)]),
  fc.constant<[string, Mutation]>(["no final newline", (a) => enc(a.slice(0, -1))]),
);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "plumb-armor-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("plumb-verify byte_exact (Bash) vs checkByteExact (TypeScript)", () => {
  it("the Bash function is in the verifier script", () => {
    expect(FUNCTION).toContain("byte_exact()");
  });

  it("accepts the armor plumb writes for blobs of every padding length", () => {
    for (const len of [1, 2, 3, 52, 53, 54, 104, 105, 106]) {
      const armor = enc(armorSshsig(new Uint8Array(len).fill(len)));
      expect([len, bashSays(armor), tsSays(armor)]).toEqual([len, true, true]);
    }
  });

  it("property: both accept and refuse exactly the same files", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), mutation, (blob, [, m]) => {
        const bytes = m(armorSshsig(blob));
        expect(bashSays(bytes)).toBe(tsSays(bytes));
      }),
      { numRuns: 400 },
    );
  });
});
