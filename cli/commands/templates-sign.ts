// `plumb templates sign --key <file> | --agent`: this contract key's SSHSIG over the exact bytes
// of templates.lock, written as templates.lock.sig.d/<fingerprint>.sig (docs/contracts.md,
// "Signing the catalog lock"). Co-signers run it again until the contract threshold is reached.
import { Buffer } from "node:buffer";
import { ExitCode, PlumbError } from "../../core/errors.js";
import { readLockFiles, writeLockSignature } from "../../core/io/lock-trust.js";
import { fingerprint } from "../../core/signing/public-key.js";
import { signSshsig } from "../../core/signing/sshsig.js";
import { roleKeys } from "../../core/trust/keyring.js";
import { judgeLock, LOCK_FILE, lockNamespace } from "../../core/trust/lock-signature.js";
import { parseIsoZ } from "../../core/trust/time.js";
import { renderLock } from "../../validators/templates/tree-hash.js";
import { openKeyring } from "../session.js";
import { signerFrom } from "../signer-options.js";
import type { CommandContext, ParsedValues } from "../spec.js";
import { checkRepoTemplates } from "../templates-kit.js";

export async function signLockCommand(ctx: CommandContext, values: ParsedValues): Promise<number> {
  const { root, now, chain } = openKeyring(ctx, values);
  const keyring = chain.keyring;
  const lock = readLockFiles(root);
  if (lock.bytes === undefined)
    throw new PlumbError("PLB869", `${LOCK_FILE} does not exist`, {
      hint: "run `plumb templates lock` first",
    });
  // What is signed is what the tree hashes to: a lock that does not describe templates/ is refused.
  const checked = await checkRepoTemplates(root, ["manifest"]);
  const expected = renderLock(checked.hashes, checked.catalog.hashes);
  if (!Buffer.from(expected, "utf8").equals(Buffer.from(lock.bytes)))
    throw new PlumbError(
      "PLB970",
      `${LOCK_FILE} does not match templates/ (a template or catalog action changed since the lock)`,
      { hint: "review the change, run `plumb templates lock`, then sign" },
    );
  const signer = await signerFrom(values, ctx.cwd, ctx.env);
  const fp = fingerprint(signer.publicKey);
  const k = roleKeys(keyring, "contract").find((x) => x.fingerprint === fp);
  const after = parseIsoZ(k?.entry.valid_after);
  const before = parseIsoZ(k?.entry.valid_before);
  if (!k || (after && now < after) || (before && now > before))
    throw new PlumbError(
      "PLB970",
      `${fp} is not a current contract key of keyring v${keyring.version}`,
      {
        hint: "trust it first: plumb keys trust <pub> --principal <name> --role contract (then re-sign the keyring)",
      },
    );
  const armored = await signSshsig(lock.bytes, lockNamespace(keyring.org), signer);
  const path = writeLockSignature(root, fp, armored);
  // The other files are judged with this one: a stale signature among them is reported now.
  const verdict = judgeLock(lock.bytes, readLockFiles(root).signatures, keyring, now);
  const s = ctx.output.style;
  const threshold = keyring.roles.contract.threshold;
  const signers = verdict.state === "signed" ? verdict.result.signers.length : undefined;
  if (ctx.globals.json)
    ctx.output.writeJson({
      version: 1,
      ok: true,
      signature: path,
      signer: fp,
      threshold,
      state: verdict.state,
      ...(verdict.state === "signed" ? { signers: verdict.result.signers } : {}),
      ...(verdict.state !== "signed"
        ? { problem: { code: verdict.error.code, message: verdict.error.message } }
        : {}),
    });
  else {
    ctx.output.err(`${s.green("✔")} signed ${LOCK_FILE} as ${k.entry.principal} (${fp}): ${path}`);
    if (verdict.state === "signed")
      ctx.output.err(
        `  ${signers} of ${threshold} required contract signature(s): the catalog is trusted`,
      );
    else
      ctx.output.err(
        `  ${s.yellow("not yet trusted")}: [${verdict.error.code}] ${verdict.error.message}`,
      );
  }
  return ExitCode.ok;
}
