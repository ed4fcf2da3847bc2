// ensureBootstrap over a local transport (real sh, real files) with the target layout in a scratch
// directory: install, current, partial updates, repairs, refusals (newer or forked keyring, links).
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VERIFIER_SCRIPT } from "../../core/trust/verifier-script.js";
import { LocalTransport } from "../../tests/kit/local-transport.js";
import {
  bootstrapTarget,
  ensureBootstrap,
  type TargetFiles,
  type TargetLayout,
} from "./bootstrap.js";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);
function files(
  version: number,
  sha = SHA_A,
  signers = 'ops.x namespaces="n" ssh-ed25519 AAAA\n',
): TargetFiles {
  return {
    allowed_signers: signers,
    revoked_keys: "",
    policy: `namespace=plumb-contract-manifest-v1@acme\nkeyring_version=${version}\nthreshold=1\nkeyring_sha256=${sha}\n`,
    "plumb-verify": VERIFIER_SCRIPT,
  };
}

let root: string;
let L: TargetLayout;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "plumb-bootstrap-"));
  L = {
    etc: join(root, "etc/plumb"),
    trust: join(root, "etc/plumb/trust"),
    lib: join(root, "var/lib/plumb"),
    state: join(root, "var/lib/plumb/state"),
    run: join(root, "var/lib/plumb/run"),
    contracts: join(root, "var/lib/plumb/contracts"),
    log: join(root, "var/log/plumb"),
  };
  mkdirSync(join(root, "etc"));
  mkdirSync(join(root, "var/lib"), { recursive: true });
  mkdirSync(join(root, "var/log"), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));
const mode = (p: string) => (statSync(p).mode & 0o7777).toString(8);

describe("ensureBootstrap", () => {
  it("installs the trust files, directories and replay state on a fresh target", async () => {
    const t = new LocalTransport();
    expect(await ensureBootstrap(t, files(3), { layout: L })).toBe("installed");
    expect(readFileSync(join(L.trust, "policy"), "utf8")).toContain("keyring_version=3");
    expect(readFileSync(join(L.trust, "plumb-verify"), "utf8")).toBe(VERIFIER_SCRIPT);
    expect(mode(join(L.trust, "plumb-verify"))).toBe("755");
    expect(mode(join(L.trust, "allowed_signers"))).toBe("644");
    expect([L.etc, L.trust].map(mode)).toEqual(["755", "755"]);
    expect([L.lib, L.run, L.contracts, L.log].map(mode)).toEqual(["700", "700", "700", "700"]);
    expect(readFileSync(L.state, "utf8")).toBe("3 0\n");
    expect(mode(L.state)).toBe("600");
    expect(statSync(L.state).uid).toBe(0);
  });

  it("is current on a second run: one probe, nothing written", async () => {
    await ensureBootstrap(new LocalTransport(), files(3), { layout: L });
    const t = new LocalTransport();
    expect(await ensureBootstrap(t, files(3), { layout: L })).toBe("current");
    expect(t.puts).toEqual([]);
    expect(t.runs).toHaveLength(1);
  });

  it("rewrites only what differs and never resets the replay mark", async () => {
    await ensureBootstrap(new LocalTransport(), files(3), { layout: L });
    writeFileSync(L.state, "3 42\n");
    const t = new LocalTransport();
    const next = files(4, SHA_B, 'ops.y namespaces="n" ssh-ed25519 BBBB\n');
    const r = await bootstrapTarget(t, next, { layout: L });
    expect(r.outcome).toBe("updated");
    expect(r.previousKeyringVersion).toBe(3);
    // Written beside their place, then renamed in one call: nothing temporary is left.
    expect(t.puts.map((p) => p.replace(/\.plumb-new\.[0-9a-f]{12}\./, ".plumb-new."))).toEqual([
      join(L.trust, ".plumb-new.policy"),
      join(L.trust, ".plumb-new.allowed_signers"),
    ]);
    expect(readdirSync(L.trust).filter((f) => f.startsWith("."))).toEqual([]);
    expect(readFileSync(join(L.trust, "policy"), "utf8")).toBe(next.policy);
    expect(readFileSync(L.state, "utf8")).toBe("3 42\n");
  });

  it("a bootstrap killed after writing the new files, before the renames, leaves the old ones in force", async () => {
    await ensureBootstrap(new LocalTransport(), files(3), { layout: L });
    const next = files(4, SHA_B, 'ops.y namespaces="n" ssh-ed25519 BBBB\n');
    // The crash: the temporaries are on the target, the call that renames them never came.
    writeFileSync(join(L.trust, ".plumb-new.0123456789ab.policy"), next.policy);
    expect(readFileSync(join(L.trust, "policy"), "utf8")).toContain("keyring_version=3");
    expect(await ensureBootstrap(new LocalTransport(), next, { layout: L })).toBe("updated");
    expect(readFileSync(join(L.trust, "policy"), "utf8")).toBe(next.policy);
    // The killed run's temporary stays (public trust data, never read); nothing else does.
    expect(readdirSync(L.trust).filter((f) => f.startsWith("."))).toEqual([
      ".plumb-new.0123456789ab.policy",
    ]);
  });

  it("finishes a bootstrap that was killed after the policy was written", async () => {
    await ensureBootstrap(new LocalTransport(), files(3), { layout: L });
    const next = files(4, SHA_B, 'ops.y namespaces="n" ssh-ed25519 BBBB\n');
    writeFileSync(join(L.trust, "policy"), next.policy); // the crash: policy new, keys old
    const t = new LocalTransport();
    expect(await ensureBootstrap(t, next, { layout: L })).toBe("updated");
    expect(t.puts).toEqual([
      expect.stringMatching(/\/\.plumb-new\.[0-9a-f]{12}\.allowed_signers$/),
    ]);
    expect(readFileSync(join(L.trust, "allowed_signers"), "utf8")).toBe(next.allowed_signers);
  });

  it("repairs a loosened mode without rewriting the content", async () => {
    await ensureBootstrap(new LocalTransport(), files(3), { layout: L });
    chmodSync(join(L.trust, "allowed_signers"), 0o666);
    chmodSync(L.trust, 0o777);
    const t = new LocalTransport();
    const r = await bootstrapTarget(t, files(3), { layout: L });
    expect(r.steps).toEqual([
      { path: L.trust, action: "fix-owner-mode" },
      { path: join(L.trust, "allowed_signers"), action: "fix-owner-mode" },
    ]);
    expect(t.puts).toEqual([]);
    expect(mode(join(L.trust, "allowed_signers"))).toBe("644");
    expect(mode(L.trust)).toBe("755");
  });

  it("refuses to lower the keyring version, writing nothing (PLB788)", async () => {
    await ensureBootstrap(new LocalTransport(), files(5), { layout: L });
    const t = new LocalTransport();
    await expect(ensureBootstrap(t, files(4, SHA_B), { layout: L })).rejects.toMatchObject({
      code: "PLB788",
    });
    expect(t.puts).toEqual([]);
    expect(t.runs).toHaveLength(1);
    expect(readFileSync(join(L.trust, "policy"), "utf8")).toContain("keyring_version=5");
  });

  it("refuses a different keyring under the same version (PLB788)", async () => {
    await ensureBootstrap(new LocalTransport(), files(5, SHA_A), { layout: L });
    const t = new LocalTransport();
    await expect(ensureBootstrap(t, files(5, SHA_B), { layout: L })).rejects.toMatchObject({
      code: "PLB788",
    });
    expect(t.puts).toEqual([]);
  });

  it("refuses a symbolic link in place of a plumb directory before writing (PLB789)", async () => {
    const elsewhere = join(root, "elsewhere");
    mkdirSync(elsewhere);
    mkdirSync(L.etc);
    symlinkSync(elsewhere, L.trust);
    const t = new LocalTransport();
    await expect(ensureBootstrap(t, files(1), { layout: L })).rejects.toMatchObject({
      code: "PLB789",
    });
    expect(t.puts).toEqual([]);
    expect(t.runs).toHaveLength(1);
  });

  it("dry-run reports the steps and changes nothing", async () => {
    const t = new LocalTransport();
    const r = await bootstrapTarget(t, files(2), { layout: L, dryRun: true });
    expect(r.outcome).toBe("installed");
    expect(r.steps.map((s) => s.action)).toContain("init-state");
    expect(t.puts).toEqual([]);
    expect(t.runs).toHaveLength(1);
    expect(() => statSync(L.etc)).toThrow();
  });
});
