// `plumb contract sign <bundle>` and `plumb contract verify <bundle>`.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { ExitCode, PlumbError, UsageError } from "../../core/errors.js";
import { addBundleSignature, readBundle, writeAtomic } from "../../core/io/trust-store.js";
import { fingerprint } from "../../core/signing/public-key.js";
import { signSshsig } from "../../core/signing/sshsig.js";
import { namespaceFor } from "../../core/trust/keyring.js";
import { buildManifest, type ContractManifest, parseManifest } from "../../core/trust/manifest.js";
import { isoZ, parseDuration, parseIsoZ } from "../../core/trust/time.js";
import { type HighWater, verifyContract } from "../../core/trust/verify.js";
import type { Hfc } from "../../generators/contract/hfc.js";
import { openTrust } from "../session.js";
import { signerFrom } from "../signer-options.js";
import type { CommandContext, ParsedValues } from "../spec.js";

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function need(dir: string, name: string): Uint8Array {
  const p = join(dir, name);
  if (!existsSync(p))
    throw new PlumbError("PLB885", `${name} is missing in ${dir}`, {
      hint: "forge the bundle first: plumb contract forge …",
    });
  return readFileSync(p);
}

/** The longest validity window a manifest may have, and how far a seq may run ahead of now (ms). */
const MAX_LIFETIME_MS = 90 * 86_400_000;
const MAX_SEQ_AHEAD_MS = 86_400_000;

/** The manifest fields that come from the bundle itself (never from a file already there). */
function derived(hfcBytes: Uint8Array, script: Uint8Array, keyringVersion: number) {
  let hfc: Hfc;
  try {
    hfc = JSON.parse(Buffer.from(hfcBytes).toString("utf8")) as Hfc;
  } catch (cause) {
    throw new PlumbError("PLB848", "hfc.json is not JSON", { cause });
  }
  return {
    type: "plumb-contract-manifest",
    schema: 1,
    contract: hfc.header?.id,
    template: hfc.header?.template,
    target: hfc.header?.target,
    keyring_version: keyringVersion,
    subject: { name: "contract.sh", sha256: sha256(script) },
    hfc_sha256: sha256(hfcBytes),
    git_commit: hfc.header?.git_commit ?? null,
  } as const;
}

function windowFrom(values: ParsedValues, now: Date) {
  const lifetime = parseDuration((values["expires-in"] as string | undefined) ?? "7d");
  if (lifetime === undefined) throw new UsageError("--expires-in must be like 7d, 12h or 90m");
  const notBefore = values["not-before"] ? parseIsoZ(values["not-before"]) : now;
  if (!notBefore) throw new UsageError("--not-before must be like 2027-01-31T00:00:00Z");
  const seq = values.seq === undefined ? now.getTime() : Number(values.seq);
  if (!Number.isSafeInteger(seq) || seq < 1)
    throw new UsageError("--seq must be a positive integer");
  return {
    seq,
    not_before: isoZ(notBefore),
    expires: isoZ(new Date(notBefore.getTime() + lifetime)),
  };
}

/** Bounds no approver should sign past: a seq far ahead of now blocks every later contract on
 *  the target, a long window keeps a contract replayable on a fresh target for years. */
function checkBounds(m: ContractManifest, now: Date): void {
  if (m.seq > now.getTime() + MAX_SEQ_AHEAD_MS)
    throw new PlumbError(
      "PLB848",
      `seq ${m.seq} is more than a day ahead of now (${now.getTime()} ms): it would block every later contract on ${m.target}`,
      { hint: "use the default seq (now in ms) or a small --seq" },
    );
  const span =
    (parseIsoZ(m.expires) as Date).getTime() - (parseIsoZ(m.not_before) as Date).getTime();
  if (span > MAX_LIFETIME_MS)
    throw new PlumbError(
      "PLB848",
      `the manifest is valid for more than 90 days (${m.not_before} to ${m.expires})`,
      {
        hint: "sign with --expires-in 90d or less",
      },
    );
}

export async function signCommand(
  ctx: CommandContext,
  values: ParsedValues,
  bundleArg: string,
): Promise<number> {
  const { dir, now, keyring } = openTrust(ctx, values, bundleArg);
  const script = need(dir, "contract.sh");
  const hfcBytes = need(dir, "hfc.json");
  const manifestPath = join(dir, "manifest.json");
  // The manifest is derived from the HFC every time; a manifest already in the bundle (a
  // co-signer's) is used only when it says exactly that, and explicit options must agree too.
  const base = derived(hfcBytes, script, keyring.version);
  let manifest: ContractManifest;
  let created = false;
  if (existsSync(manifestPath)) {
    const existing = parseManifest(readFileSync(manifestPath));
    const window = {
      seq: values.seq === undefined ? existing.seq : windowFrom(values, now).seq,
      not_before:
        values["not-before"] === undefined && values["expires-in"] === undefined
          ? existing.not_before
          : windowFrom(values, now).not_before,
      expires:
        values["not-before"] === undefined && values["expires-in"] === undefined
          ? existing.expires
          : windowFrom(values, now).expires,
    };
    manifest = { ...base, ...window } as ContractManifest;
    const want = Buffer.from(buildManifest(manifest));
    if (!want.equals(readFileSync(manifestPath))) {
      const diff = (Object.keys(manifest) as (keyof ContractManifest)[])
        .filter((k) => JSON.stringify(manifest[k]) !== JSON.stringify(existing[k]))
        .join(", ");
      throw new PlumbError(
        "PLB848",
        `manifest.json in ${dir} disagrees with the bundle and options (${diff || "bytes"})`,
        {
          hint: "delete manifest.json and signatures/ and sign again (every signer then re-signs)",
        },
      );
    }
  } else {
    manifest = { ...base, ...windowFrom(values, now) } as ContractManifest;
    created = true;
  }
  const manifestBytes = buildManifest(manifest);
  checkBounds(manifest, now);
  // Sign first, write after: a failed sign leaves the bundle as it was.
  const signer = await signerFrom(values, ctx.cwd, ctx.env);
  const fp = fingerprint(signer.publicKey);
  if (!keyring.roles.contract.keys.includes(fp))
    throw new PlumbError("PLB874", `${fp} is not a contract key of keyring v${keyring.version}`, {
      hint: "trust it first: plumb keys trust <pub> --principal <name> --role contract",
    });
  const armored = await signSshsig(
    manifestBytes,
    namespaceFor("contract-manifest", keyring.org),
    signer,
  );
  if (created) writeAtomic(manifestPath, manifestBytes);
  let sigPath: string;
  try {
    sigPath = addBundleSignature(dir, fp, armored);
  } catch (e) {
    if (created) rmSync(manifestPath, { force: true });
    throw e;
  }
  const m = manifest;
  const s = ctx.output.style;
  if (ctx.globals.json)
    ctx.output.writeJson({
      version: 1,
      ok: true,
      manifest: m,
      signature: sigPath,
      signer: fp,
      created,
    });
  else {
    ctx.output.err(
      `${s.green("✔")} signed ${m.contract} (seq ${m.seq}, for ${m.target}, expires ${m.expires}) as ${fp}`,
    );
    ctx.output.err(
      `  threshold: ${keyring.roles.contract.threshold} distinct contract key(s); ${sigPath}`,
    );
  }
  return ExitCode.ok;
}

function readState(path: string): HighWater | null {
  if (!existsSync(path)) return null;
  const m = /^(\d+) (\d+)\n?$/.exec(readFileSync(path, "utf8"));
  return m ? { keyring_version: Number(m[1]), seq: Number(m[2]) } : null;
}

export async function verifyCommand(
  ctx: CommandContext,
  values: ParsedValues,
  bundleArg: string,
): Promise<number> {
  const { dir, now, keyring } = openTrust(ctx, values, bundleArg);
  const bundle = readBundle(dir);
  const result = verifyContract(bundle, keyring, {
    now,
    ...(values.target ? { target: values.target as string } : {}),
    ...(values.state ? { highWater: readState(resolve(ctx.cwd, values.state as string)) } : {}),
  });
  const m = result.manifest;
  const s = ctx.output.style;
  if (ctx.globals.json)
    ctx.output.writeJson({
      version: 1,
      ok: true,
      manifest: m,
      signers: result.signatures.signers,
      threshold: result.signatures.threshold,
      checks: result.signatures.checks,
    });
  else {
    ctx.output.err(
      `${s.green("✔")} ${m.contract} verified: ${m.template} for ${m.target}, seq ${m.seq}, valid until ${m.expires}`,
    );
    ctx.output.err(
      `  signed by ${result.signatures.signers.map((x) => `${x.principal} (${x.fingerprint})`).join(", ")} — threshold ${result.signatures.threshold}`,
    );
    for (const c of result.signatures.checks.filter((c) => !c.ok))
      ctx.output.err(`  ${s.yellow("ignored")} ${c.name}: [${c.code}] ${c.reason}`);
  }
  return ExitCode.ok;
}
