import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AllowedSigner,
  entryPermits,
  formatAllowedSigners,
  matchPatternList,
  parseAllowedSigners,
} from "./allowed-signers.js";
import { AllowedSignersError } from "./errors.js";
import { readPrivateKeyFile } from "./key-files.js";
import type { OpensshPrivateKey } from "./openssh-private-key.js";
import { formatPublicKey, samePublicKey } from "./public-key.js";
import { keySigner } from "./signer.js";
import { signSshsig } from "./sshsig.js";
import { run, type Sandbox, sandbox, sshKeygenKey, sshKeygenVerify } from "./test-kit.js";

let box: Sandbox;
let key: OpensshPrivateKey;
let line: string;
beforeAll(() => {
  box = sandbox();
  key = readPrivateKeyFile(sshKeygenKey(box, "signer", "laptop"));
  line = formatPublicKey(key.publicKey);
});
afterAll(() => box.remove());

function parseError(text: string): AllowedSignersError {
  try {
    parseAllowedSigners(text);
  } catch (e) {
    expect(e).toBeInstanceOf(AllowedSignersError);
    return e as AllowedSignersError;
  }
  throw new Error("expected an AllowedSignersError");
}

describe("allowed_signers parsing", () => {
  it("reads principals, options, key and comment; skips blank and # lines", () => {
    const text = [
      "# trusted contract signers",
      "",
      `alice@example.org,ops@example.org ${line}`,
      `  bob@example.org namespaces="contract-v1@example.org,file",valid-after="20260101Z",valid-before="20270101120000Z" ${formatPublicKey(key.publicKey, "")} bob's yubikey`,
      `"carol smith" NAMESPACES="git" ${line}`,
    ].join("\n");
    const entries = parseAllowedSigners(text);
    expect(entries).toHaveLength(3);
    const [a, b, c] = entries as [AllowedSigner, AllowedSigner, AllowedSigner];
    expect(a.principals).toEqual(["alice@example.org", "ops@example.org"]);
    expect(a.line).toBe(3);
    expect(a.namespaces).toBeUndefined();
    expect(b.namespaces).toEqual(["contract-v1@example.org", "file"]);
    expect(b.validAfter?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(b.validBefore?.toISOString()).toBe("2027-01-01T12:00:00.000Z");
    expect(b.publicKey.comment).toBe("bob's yubikey");
    expect(samePublicKey(b.publicKey, key.publicKey)).toBe(true);
    expect(c.principals).toEqual(["carol smith"]);
    expect(c.namespaces).toEqual(["git"]);
  });

  it.each([
    ["cert-authority", `ca@example.org cert-authority ${line}`, "PLB831"],
    ["a non-Ed25519 key", "x@example.org ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ==", "PLB831"],
    ["local time (no Z)", `x@example.org valid-before="20270101" ${line}`, "PLB831"],
    ["an unknown option", `x@example.org no-touch-required ${line}`, "PLB830"],
    ["an unquoted option value", `x@example.org namespaces=file ${line}`, "PLB830"],
    ["a missing key", "x@example.org", "PLB830"],
    ["a bad key", "x@example.org ssh-ed25519 AAAA!!!!", "PLB830"],
    ["an impossible date", `x@example.org valid-after="20260230Z" ${line}`, "PLB830"],
    [
      "valid-before before valid-after",
      `x@example.org valid-after="20270101Z",valid-before="20260101Z" ${line}`,
      "PLB830",
    ],
    ["a repeated option", `x@example.org namespaces="a",namespaces="b" ${line}`, "PLB830"],
    ["an empty principal", `a@example.org,,b@example.org ${line}`, "PLB830"],
    ["an unterminated quote", `x@example.org namespaces="file ${line}`, "PLB830"],
  ])("refuses %s with its line number", (_name, bad, code) => {
    const e = parseError(`# header\n${line.replace(/^/, "ok@example.org ")}\n${bad}\n`);
    expect(e.code).toBe(code);
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/^line 3: /);
  });
});

describe("allowed_signers formatting", () => {
  const base = (): AllowedSigner => ({
    principals: ["alice@example.org"],
    publicKey: key.publicKey,
    line: 0,
  });

  it("round-trips through the parser", () => {
    const entries: AllowedSigner[] = [
      base(),
      {
        ...base(),
        principals: ["bob@example.org", "ops@example.org"],
        namespaces: ["contract-v1@example.org"],
        validAfter: new Date("2026-01-01T00:00:00Z"),
        validBefore: new Date("2027-06-30T23:59:59Z"),
      },
    ];
    const text = formatAllowedSigners(entries);
    expect(text).toBe(
      `alice@example.org ${line}\nbob@example.org,ops@example.org namespaces="contract-v1@example.org",valid-after="20260101000000Z",valid-before="20270630235959Z" ${line}\n`,
    );
    const back = parseAllowedSigners(text);
    expect(back.map((e) => [e.principals, e.namespaces, e.validAfter, e.validBefore])).toEqual(
      entries.map((e) => [e.principals, e.namespaces, e.validAfter, e.validBefore]),
    );
  });

  it.each([
    ["a wildcard principal", { principals: ["*"] }],
    ["a negated principal", { principals: ["!eve@example.org"] }],
    ["a principal with a space", { principals: ["a b"] }],
    ["a principal with a comma", { principals: ["a,b"] }],
    ["no principal", { principals: [] }],
    ["a wildcard namespace", { namespaces: ["contract-*"] }],
    ["an empty namespace list", { namespaces: [] }],
    ["a fractional second", { validBefore: new Date("2027-01-01T00:00:00.500Z") }],
  ])("refuses to write %s", (_name, change) => {
    expect(() => formatAllowedSigners([{ ...base(), ...change }])).toThrow(AllowedSignersError);
  });
});

describe("allowed_signers semantics agree with ssh-keygen -Y verify", () => {
  const NS = "contract-v1@example.org";
  const msg = new TextEncoder().encode("m");
  const window = {
    validAfter: new Date("2026-01-01T00:00:00Z"),
    validBefore: new Date("2026-12-31T23:59:59Z"),
  };
  const cases: [string, Partial<AllowedSigner>, string, string, string][] = [
    // name, entry change, principal asked, namespace signed, verify time (UTC)
    ["plain entry", {}, "alice@example.org", NS, "20260601000000Z"],
    ["other principal", {}, "mallory@example.org", NS, "20260601000000Z"],
    ["namespace allowed", { namespaces: [NS] }, "alice@example.org", NS, "20260601000000Z"],
    ["namespace excluded", { namespaces: ["file"] }, "alice@example.org", NS, "20260601000000Z"],
    ["inside the window", window, "alice@example.org", NS, "20260601000000Z"],
    ["at valid-after exactly", window, "alice@example.org", NS, "20260101000000Z"],
    ["one second before valid-after", window, "alice@example.org", NS, "20251231235959Z"],
    ["at valid-before exactly", window, "alice@example.org", NS, "20261231235959Z"],
    ["one second after valid-before", window, "alice@example.org", NS, "20270101000000Z"],
  ];

  it.each(cases)("%s", async (_name, change, principal, ns, at) => {
    // Arrange
    const entry: AllowedSigner = {
      principals: ["alice@example.org"],
      publicKey: key.publicKey,
      line: 0,
      ...change,
    };
    const sig = await signSshsig(msg, ns, keySigner(key));
    const when = new Date(
      at.replace(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"),
    );
    // Act
    const ours = entryPermits(entry, { principal, namespace: ns, at: when });
    const r = sshKeygenVerify(box, {
      allowedSigners: formatAllowedSigners([entry]),
      principal,
      namespace: ns,
      signature: sig,
      message: msg,
      extra: ["-O", `verify-time=${at}`],
    });
    // Assert
    expect(r.status === 0, `${r.stdout}${r.stderr}`).toBe(ours);
  });

  it("ssh-keygen -Y find-principals reads our file", async () => {
    const text = formatAllowedSigners([
      { principals: ["alice@example.org", "ops@example.org"], publicKey: key.publicKey, line: 0 },
    ]);
    const sig = await signSshsig(msg, NS, keySigner(key));
    box.write("as", text, 0o644);
    box.write("m.sig", sig, 0o644);
    const r = run(box, "ssh-keygen", ["-Y", "find-principals", "-f", "as", "-s", "m.sig"]);
    // ssh-keygen prints each principal of the matching line on its own line.
    expect(r.stdout.trim().split("\n")).toEqual(["alice@example.org", "ops@example.org"]);
  });

  it("matches pattern lists like OpenSSH (negation wins)", () => {
    expect(matchPatternList("alice@example.org", ["*@example.org"])).toBe(1);
    expect(matchPatternList("alice@example.org", ["*@example.org", "!alice@*"])).toBe(-1);
    expect(matchPatternList("alice@example.org", ["bob@example.org"])).toBe(0);
    expect(matchPatternList("a.c", ["a?c"])).toBe(1);
    expect(matchPatternList("abc", ["a.c"])).toBe(0);
  });
});
