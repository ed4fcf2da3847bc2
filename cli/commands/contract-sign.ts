// `plumb contract sign <bundle>` and `plumb contract verify <bundle>`.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
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

export async function signCommand(
  ctx: CommandContext,
  values: ParsedValues,
  bundleArg: string,
): Promise<number> {
  const { dir, now, keyring } = openTrust(ctx, values, bundleArg);
  const script = need(dir, "contract.sh");
  const hfcBytes = need(dir, "hfc.json");
  const manifestPath = join(dir, "manifest.json");
  let manifestBytes: Uint8Array;
  let created = false;
  if (existsSync(manifestPath)) {
    manifestBytes = readFileSync(manifestPath);
    const m = parseManifest(manifestBytes);
    if (m.subject.sha256 !== sha256(script) || m.hfc_sha256 !== sha256(hfcBytes)) {
      throw new PlumbError(
        "PLB882",
        "the bundle's contract.sh or hfc.json changed since manifest.json was created",
        { hint: "forge again into a fresh directory and sign that" },
      );
    }
    if (m.keyring_version !== keyring.version)
      throw new PlumbError(
        "PLB881",
        `manifest.json names keyring v${m.keyring_version}; the repo keyring is v${keyring.version}`,
        { hint: "delete manifest.json and signatures/ and sign again" },
      );
  } else {
    const hfc = JSON.parse(Buffer.from(hfcBytes).toString("utf8")) as Hfc;
    const lifetime = parseDuration((values["expires-in"] as string | undefined) ?? "7d");
    if (lifetime === undefined) throw new UsageError("--expires-in must be like 7d, 12h or 90m");
    const notBefore = values["not-before"] ? parseIsoZ(values["not-before"]) : now;
    if (!notBefore) throw new UsageError("--not-before must be like 2027-01-31T00:00:00Z");
    const seq = values.seq === undefined ? now.getTime() : Number(values.seq);
    if (!Number.isSafeInteger(seq) || seq < 1)
      throw new UsageError("--seq must be a positive integer");
    const manifest: ContractManifest = {
      type: "plumb-contract-manifest",
      schema: 1,
      contract: hfc.header.id,
      template: hfc.header.template,
      target: hfc.header.target,
      seq,
      keyring_version: keyring.version,
      not_before: isoZ(notBefore),
      expires: isoZ(new Date(notBefore.getTime() + lifetime)),
      subject: { name: "contract.sh", sha256: sha256(script) },
      hfc_sha256: sha256(hfcBytes),
      git_commit: hfc.header.git_commit,
    };
    manifestBytes = buildManifest(manifest);
    writeAtomic(manifestPath, manifestBytes);
    created = true;
  }
  const signer = await signerFrom(values, ctx.cwd, ctx.env);
  const fp = fingerprint(signer.publicKey);
  if (!keyring.roles.contract.keys.includes(fp))
    throw new PlumbError("PLB874", `${fp} is not a contract key of keyring v${keyring.version}`, {
      hint: "trust it first: plumb keys trust <pub> --principal <name> --role contract",
    });
  const sigPath = addBundleSignature(
    dir,
    fp,
    await signSshsig(manifestBytes, namespaceFor("contract-manifest", keyring.org), signer),
  );
  const m = parseManifest(manifestBytes);
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
