import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TemplateManifest } from "../../core/model/template.js";
import { generateEd25519Key } from "../../core/signing/openssh-private-key.js";
import { keySigner } from "../../core/signing/signer.js";
import { newKeyring } from "../../core/trust/keyring.js";
import { parseManifest } from "../../core/trust/manifest.js";
import type { TemplateSource } from "../../generators/contract/hfc.js";
import type { ContractChange } from "../plan/contract-change.js";
import { GATE_STALE } from "./bootstrap.js";
import { assertSignersReachThreshold } from "./bundle.js";
import { type DeliveryDeps, deliverContracts } from "./deliver.js";
import { readJournal } from "./journal.js";
import type { RunResult, TargetTransport } from "./transport.js";

const key = generateEd25519Key("alice");
const keyring = newKeyring("acme", key.publicKey, "alice", "2099-01-01T00:00:00Z");
const template: TemplateSource = {
  dir: "templates/t",
  treeHash: `sha256:${"a".repeat(64)}`,
  files: new Map([["x.njk", "msg={{ msg }}\n"]]),
  manifest: {
    slug: "t",
    version: "1.0.0",
    description: "test",
    inputs: {
      type: "object",
      required: ["msg"],
      additionalProperties: false,
      properties: { msg: { type: "string", "x-sensitive": true } },
    },
    bom: [{ path: "/etc/x", source: "x.njk" }],
    proofs: [{ file_contains: { path: "/etc/x", text: "{{ msg }}" } }],
  } as unknown as TemplateManifest,
};

function change(machine: string, name: string): ContractChange {
  return {
    machine,
    domain: "d",
    targetKind: "instance",
    name,
    template: "t@1.0.0",
    hash: `sha256:${name}${machine}`,
    liveHash: null,
    action: "run",
    reason: "new",
    risk: "low",
    consent: "NONE",
    roles: [],
    inputs: { msg: "(sensitive)" },
  };
}

type Script = (machine: string, manifest: { seq: number; contract: string }) => RunResult;

class FakeTarget implements TargetTransport {
  readonly kind = "instance" as const;
  readonly files = new Map<string, Uint8Array>();
  readonly argvs: string[][] = [];
  closed = 0;
  constructor(
    readonly machine: string,
    private readonly script: Script,
  ) {}
  async put(path: string, bytes: Uint8Array): Promise<void> {
    this.files.set(path, bytes);
  }
  /** What a trust gate on this target finds (see "the trust gate" tests). */
  stale = false;
  async run(argv: readonly string[]): Promise<RunResult> {
    this.argvs.push([...argv]);
    if (argv[0] === "sh" && argv[3] === "plumb-deliver") {
      // A gated call: the gate, then the verifier's argv.
      if (this.stale) return { code: 0, stdout: `${GATE_STALE}\n`, stderr: "" };
      return this.run(argv.slice(4));
    }
    if (argv[1]?.endsWith("plumb-verify")) {
      const dir = argv[argv.length - 1] as string;
      const m = parseManifest(this.files.get(`${dir}/manifest.json`) as Uint8Array);
      return this.script(this.machine, m);
    }
    return { code: 0, stdout: "", stderr: "" };
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

const ok: Script = (_m, man) => ({
  code: 0,
  stdout: `PLUMB-VERIFY {"status":"ok","code":"verified"}\nlog line\nPLUMB-RESULT {"contract":"${man.contract}","status":"success","phase":"finished","step":3}\n`,
  stderr: "",
});

function setup(script: Script, overrides: Partial<DeliveryDeps> = {}) {
  const root = mkdtempSync(join(tmpdir(), "plumb-deliver-"));
  const targets = new Map<string, FakeTarget>();
  const live: string[] = [];
  const audit: string[] = [];
  const deps: DeliveryDeps = {
    root,
    keyring,
    signers: [keySigner(key)],
    gitCommit: null,
    template: () => template,
    inputs: () => ({ values: { msg: "s3cr3t-value" }, secrets: ["s3cr3t-value"] }),
    transport: async (c) => {
      const t = new FakeTarget(c.machine, script);
      targets.set(c.machine, t);
      return t;
    },
    bootstrap: async () => "installed",
    recordLive: async (c) => {
      live.push(`${c.machine}/${c.name}`);
    },
    audit: (r) => audit.push(JSON.stringify(r)),
    ...overrides,
  };
  return { root, deps, targets, live, audit };
}

const opts = { run: "r1", parallelism: 4, timeoutMs: 5000, onFailure: "stop" as const };

describe("deliverContracts", () => {
  it("runs each contract through plumb-verify and journals PENDING → CLAIMED → SUCCESS", async () => {
    const { root, deps, targets, live } = setup(ok);
    const results = await deliverContracts(
      [change("m1", "a"), change("m1", "b"), change("m2", "a")],
      deps,
      opts,
    );
    expect(results.map((r) => `${r.machine}/${r.contract}:${r.status}`)).toEqual([
      "m1/a:SUCCESS",
      "m1/b:SUCCESS",
      "m2/a:SUCCESS",
    ]);
    expect(live.sort()).toEqual(["m1/a", "m1/b", "m2/a"]);
    expect(readJournal(root, "m1").map((r) => `${r.contract}:${r.status}`)).toEqual([
      "a:PENDING",
      "a:CLAIMED",
      "a:SUCCESS",
      "b:PENDING",
      "b:CLAIMED",
      "b:SUCCESS",
    ]);
    const m1 = targets.get("m1") as FakeTarget;
    // The verifier always runs first, for the machine's own name; --init-state only on first use.
    const verifies = m1.argvs.filter((a) => a[1]?.endsWith("plumb-verify"));
    expect(verifies).toHaveLength(2);
    expect(verifies[0]).toContain("--init-state");
    expect(verifies[1]).not.toContain("--init-state");
    expect(verifies[0]?.slice(0, 8)).toEqual([
      "bash",
      "/etc/plumb/trust/plumb-verify",
      "--trust",
      "/etc/plumb/trust",
      "--state",
      "/var/lib/plumb/state",
      "--target",
      "m1",
    ]);
    // The bundle holds resolved secrets: the verifier removes it (--consume), so a verifier
    // that answered needs no separate rm.
    for (const v of verifies) expect(v.slice(-2, -1)).toEqual(["--consume"]);
    expect(m1.argvs.filter((a) => a[0] === "rm")).toEqual([]);
    expect(m1.closed).toBe(1);
  });

  it("removes the bundle itself when the verifier never answered (timeout, not installed)", async () => {
    const silent: Script = () => ({ code: 127, stdout: "", stderr: "bash: no such file" });
    const late: Script = () => ({ code: 124, stdout: "", stderr: "" });
    for (const script of [silent, late]) {
      const { deps, targets } = setup(script);
      const [r] = await deliverContracts([change("m1", "a")], deps, opts);
      expect(r?.status).toBe("FAILED");
      const m1 = targets.get("m1") as FakeTarget;
      const verify = m1.argvs.find((a) => a[1]?.endsWith("plumb-verify")) as string[];
      expect(m1.argvs).toContainEqual(["rm", "-rf", "--", verify[verify.length - 1]]);
    }
  });

  it("signs with rising sequence numbers per machine, for that machine, valid now", async () => {
    const { deps, targets } = setup(ok);
    await deliverContracts([change("m1", "a"), change("m1", "b")], deps, opts);
    const m1 = targets.get("m1") as FakeTarget;
    const manifests = [...m1.files]
      .filter(([p]) => p.endsWith("manifest.json"))
      .map(([, b]) => parseManifest(b));
    expect(manifests).toHaveLength(2);
    expect((manifests[1]?.seq ?? 0) > (manifests[0]?.seq ?? 0)).toBe(true);
    for (const m of manifests) {
      expect(m.target).toBe("m1");
      expect(Date.parse(m.not_before)).toBeLessThanOrEqual(Date.now());
      expect(Date.parse(m.expires)).toBeGreaterThan(Date.now());
    }
    // contract.sh carries the resolved secret (the target's copy); sent mode 0600 only.
    const script = [...m1.files].find(([p]) => p.endsWith("contract.sh"))?.[1];
    expect(Buffer.from(script as Uint8Array).toString()).toContain("s3cr3t-value");
  });

  it("records a verifier refusal FAILED with the verifier's code, and stops the rest (on_failure stop)", async () => {
    const refuse: Script = () => ({
      code: 1,
      stdout: 'PLUMB-VERIFY {"status":"refused","code":"PLB883"}\n',
      stderr: "plumb-verify: refused [PLB883]: sequence 1 is not above the high-water mark 9\n",
    });
    const { root, deps, live } = setup(refuse);
    const results = await deliverContracts(
      [change("m1", "a"), change("m1", "b")],
      { ...deps },
      { ...opts, parallelism: 1 },
    );
    expect(results.map((r) => [r.contract, r.status, r.code])).toEqual([
      ["a", "FAILED", "PLB883"],
      ["b", "FAILED", "PLB783"],
    ]);
    expect(live).toEqual([]);
    const j = readJournal(root, "m1");
    expect(j.map((r) => r.status)).toEqual(["PENDING", "FAILED", "FAILED"]);
    expect(j[1]?.log_tail?.join("\n")).toContain("high-water");
  });

  it("continues after a failing proof with on_failure continue; the log tail has no secret", async () => {
    const failing: Script = (machine, man) =>
      machine === "m1"
        ? {
            code: 1,
            stdout: `PLUMB-VERIFY {"status":"ok","code":"verified"}\n2026 [3] /etc/x contains the expected text\n2026 FAILED [proofs step 3]: got msg=s3cr3t-value\nPLUMB-RESULT {"contract":"${man.contract}","status":"failed","phase":"proofs","step":3}\n`,
            stderr: "",
          }
        : ok(machine, man);
    const { root, deps, audit } = setup(failing);
    const results = await deliverContracts(
      [change("m1", "a"), change("m1", "b"), change("m2", "a")],
      deps,
      {
        ...opts,
        parallelism: 1,
        onFailure: "continue",
      },
    );
    expect(results.map((r) => `${r.machine}/${r.contract}:${r.status}:${r.code ?? ""}`)).toEqual([
      "m1/a:FAILED:PLB779",
      "m1/b:FAILED:PLB779",
      "m2/a:SUCCESS:",
    ]);
    const failed = readJournal(root, "m1").find((r) => r.status === "FAILED");
    expect(failed?.exit).toBe(1);
    expect(failed?.proofs).toEqual([
      { step: 2, proof: expect.stringMatching(/^\/etc\/x has sha256 [0-9a-f]{12}…$/), ok: true },
      { step: 3, proof: "/etc/x contains the expected text", ok: false },
    ]);
    expect(failed?.log_tail?.join("\n")).toContain("got msg=(sensitive)");
    for (const line of [...readJournal(root, "m1").map((r) => JSON.stringify(r)), ...audit])
      expect(line).not.toContain("s3cr3t-value");
  });

  it("fails every run of an unreachable target with its reason, and of a bootstrap failure with PLB785", async () => {
    const { deps } = setup(ok, {
      transport: async (c) => {
        if (c.machine === "down") throw new Error("no route");
        return new FakeTarget(c.machine, ok);
      },
      bootstrap: async (t) => {
        if (t.machine === "nobash") throw new Error("bash missing");
        return "current";
      },
    });
    const results = await deliverContracts(
      [change("down", "a"), change("down", "b"), change("nobash", "a")],
      deps,
      {
        ...opts,
        onFailure: "continue",
      },
    );
    expect(results.map((r) => `${r.machine}/${r.contract}:${r.code}`)).toEqual([
      "down/a:PLB777",
      "down/b:PLB777",
      "nobash/a:PLB785",
    ]);
  });

  it("a forge failure (bad inputs) is FAILED PLB786 before anything is sent", async () => {
    const { deps, targets } = setup(ok, { inputs: () => ({ values: { nope: 1 }, secrets: [] }) });
    const [r] = await deliverContracts([change("m1", "a")], deps, opts);
    expect(r?.code).toBe("PLB786");
    expect(targets.get("m1")?.files.size).toBe(0);
  });

  it("a run past its timeout is FAILED PLB780", async () => {
    const { deps } = setup(() => ({
      code: 124,
      stdout: 'PLUMB-VERIFY {"status":"ok","code":"verified"}\n',
      stderr: "",
    }));
    const [r] = await deliverContracts([change("m1", "a")], deps, opts);
    expect(r?.code).toBe("PLB780");
  });
});

describe("the trust gate", () => {
  it("a stale first contact: gate, bootstrap, the run again without the gate; the machine's next contract is not gated", async () => {
    const boots: string[] = [];
    const { deps, targets } = setup(ok, {
      trustGate: "GATE\n",
      transport: async (c) => {
        const t = new FakeTarget(c.machine, ok);
        t.stale = true;
        targets.set(c.machine, t);
        return t;
      },
      bootstrap: async (t) => {
        boots.push(t.machine);
        (t as FakeTarget).stale = false;
        return "installed";
      },
    });
    const results = await deliverContracts([change("m1", "a"), change("m1", "b")], deps, opts);
    expect(results.map((r) => r.status)).toEqual(["SUCCESS", "SUCCESS"]);
    expect(boots).toEqual(["m1"]);
    const m1 = targets.get("m1") as FakeTarget;
    const calls = m1.argvs.filter((a) => a[0] === "sh" || a[1]?.endsWith("plumb-verify"));
    expect(
      calls.map((a) => (a[0] === "sh" ? "gated" : a.includes("--init-state") ? "init" : "plain")),
    ).toEqual([
      "gated", // stale: nothing ran
      "init", // after bootstrap installed: the same bundle, --init-state
      "plain", // the next contract: no gate
    ]);
    expect(calls[0]?.[2]).toBe('GATE\nexec "$@"');
  });

  it("a current target: the gate passes, bootstrap never runs", async () => {
    let boots = 0;
    const { deps } = setup(ok, {
      trustGate: "GATE\n",
      bootstrap: async () => {
        boots++;
        return "current";
      },
    });
    const [r] = await deliverContracts([change("m1", "a")], deps, opts);
    expect(r?.status).toBe("SUCCESS");
    expect(boots).toBe(0);
  });
});

describe("assertSignersReachThreshold", () => {
  it("refuses with PLB781 naming how many more keys are needed", () => {
    expect(() => assertSignersReachThreshold(keyring, [])).toThrow(/1 more needed/);
    const other = generateEd25519Key("mallory");
    expect(() => assertSignersReachThreshold(keyring, [keySigner(other)])).toThrowError(
      expect.objectContaining({ code: "PLB781" }),
    );
    // The same key twice counts once.
    expect(() =>
      assertSignersReachThreshold(keyring, [keySigner(key), keySigner(key)]),
    ).not.toThrow();
  });

  it("refuses a key outside the contract role even when the threshold is reached: its signature would make every target refuse", () => {
    const stranger = generateEd25519Key("stranger");
    expect(() =>
      assertSignersReachThreshold(keyring, [keySigner(key), keySigner(stranger)]),
    ).toThrowError(/not a current contract key/);
  });

  it("refuses a contract key outside its validity window", () => {
    const fp = Object.keys(keyring.keys)[0] as string;
    const expired = {
      ...keyring,
      keys: {
        [fp]: { ...(keyring.keys[fp] as object), valid_before: "2020-01-01T00:00:00Z" },
      },
    } as typeof keyring;
    expect(() => assertSignersReachThreshold(expired, [keySigner(key)])).toThrowError(
      expect.objectContaining({ code: "PLB781" }),
    );
  });
});
