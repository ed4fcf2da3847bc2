// `plumb keys …`: keys and the repo keyring (keys/keyring.json, signed by its keyring role).
//   generate [--out file]          new Ed25519 key pair (OpenSSH format)
//   init --pub <file> [--org o]    keyring v1 trusting that key for every role
//   trust <pub> --principal p [--role r…]   revoke <pub|fingerprint>   threshold <role> <n>
//   expire-in <days>   sign-keyring (--key f | --agent)   list   verify   export-target --out dir
// Edits of a signed (chain-valid) keyring archive it to keys/history/<N>/ and start N+1; edits of
// a pending, not yet signed version stay on that version, so versions never skip.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { ExitCode, PlumbError, UsageError } from "../../core/errors.js";
import { loadVerifiedKeyring } from "../../core/io/keyring-state.js";
import {
  addKeyringSignature,
  archiveKeyring,
  KEYRING_FILE,
  readKeyringFiles,
  readKeyringHistory,
  writeAtomic,
  writeKeyring,
} from "../../core/io/trust-store.js";
import { generateKeyPairFiles } from "../../core/signing/key-files.js";
import { fingerprint, parsePublicKey, type SshPublicKey } from "../../core/signing/public-key.js";
import { signSshsig } from "../../core/signing/sshsig.js";
import { type KeyringPin, parsePin, type VerifiedChain } from "../../core/trust/chain.js";
import {
  type Keyring,
  keyringBytes,
  namespaceFor,
  newKeyring,
  parseKeyring,
  ROLES,
  type Role,
  revokeKey,
  setExpiry,
  setThreshold,
  trustKey,
} from "../../core/trust/keyring.js";
import { targetTrustFiles } from "../../core/trust/target-files.js";
import { isoZ, parseIsoZ } from "../../core/trust/time.js";
import { signerFrom } from "../signer-options.js";
import type { CommandContext, CommandModule, ParsedValues } from "../spec.js";

function readPub(arg: string, cwd: string): SshPublicKey {
  const path = resolve(cwd, arg);
  return parsePublicKey(existsSync(path) ? readFileSync(path, "utf8").trim() : arg);
}

function loadKeyring(root: string): Keyring {
  return parseKeyring(readKeyringFiles(root).bytes);
}

/** The verified chain, or the reason it does not verify. */
function tryChain(
  ctx: CommandContext,
  root: string,
  now: Date,
  pins: KeyringPin[] = [],
): VerifiedChain | PlumbError {
  try {
    return loadVerifiedKeyring(root, ctx.env, { now, pins });
  } catch (e) {
    if (e instanceof PlumbError) return e;
    throw e;
  }
}

/** Writes an edited keyring: a signed current version is archived and the edit becomes N+1; an
 *  edit of a pending (unsigned) version keeps its number. */
function save(ctx: CommandContext, root: string, edited: Keyring, what: string, now: Date): number {
  const fresh = !existsSync(join(root, KEYRING_FILE));
  const current = fresh ? edited : loadKeyring(root);
  const signed = !fresh && !(tryChain(ctx, root, now) instanceof PlumbError);
  if (signed) archiveKeyring(root, current.version);
  const k: Keyring = { ...edited, version: signed ? current.version + 1 : current.version };
  writeKeyring(root, keyringBytes(k));
  const s = ctx.output.style;
  if (ctx.globals.json)
    ctx.output.writeJson({
      version: 1,
      ok: true,
      keyring: { version: k.version, file: KEYRING_FILE },
      change: what,
    });
  else {
    ctx.output.err(`${s.green("✔")} ${what}: ${KEYRING_FILE} is now v${k.version}`);
    ctx.output.err(
      `  it must be signed by ${k.roles.keyring.threshold} keyring key(s) of v${k.version}${k.version > 1 ? ` and of v${k.version - 1}` : ""}: plumb keys sign-keyring --key <file>`,
    );
  }
  return ExitCode.ok;
}

const roleList = (values: ParsedValues): Role[] => {
  const roles = (values.role as string[] | undefined) ?? ["contract"];
  for (const r of roles)
    if (!ROLES.includes(r as Role))
      throw new UsageError(`unknown role '${r}'`, `roles: ${ROLES.join(", ")}`);
  return roles as Role[];
};

export const run: CommandModule["run"] = async (ctx, values, positionals) => {
  const [action, a1, a2] = positionals;
  const out = ctx.output;
  const s = out.style;
  const now = values.now
    ? (parseIsoZ(values.now) ??
      (() => {
        throw new UsageError("--now must be like 2027-01-31T00:00:00Z");
      })())
    : new Date();
  switch (action) {
    case "generate": {
      const path = resolve(
        ctx.cwd,
        (values.out as string | undefined) ??
          join(homedir(), ".config", "plumb", "keys", "id_ed25519"),
      );
      mkdirSync(resolve(path, ".."), { recursive: true });
      const written = generateKeyPairFiles(
        path,
        (values.comment as string | undefined) ?? `plumb@${process.env.HOSTNAME ?? "host"}`,
      );
      if (ctx.globals.json)
        out.writeJson({
          version: 1,
          ok: true,
          private: path,
          public: `${path}.pub`,
          fingerprint: fingerprint(written.key.publicKey),
        });
      else
        out.err(
          `${s.green("✔")} wrote ${path} (0600) and ${path}.pub\n  ${fingerprint(written.key.publicKey)}`,
        );
      return ExitCode.ok;
    }
    case "init": {
      const root = ctx.repoRoot();
      if (existsSync(join(root, KEYRING_FILE)))
        throw new PlumbError("PLB887", `${KEYRING_FILE} already exists`);
      if (!values.pub)
        throw new UsageError(
          "--pub <public key file> is required",
          "the first key administers the keyring and signs contracts",
        );
      const pk = readPub(values.pub as string, ctx.cwd);
      const days = Number((values.days as string | undefined) ?? "365");
      const org = (values.org as string | undefined) ?? "plumbline";
      const k = newKeyring(
        org,
        pk,
        (values.principal as string | undefined) ??
          (pk.comment.replace(/[^A-Za-z0-9._@+-]/g, "") || "admin"),
        isoZ(new Date(now.getTime() + days * 86_400_000)),
      );
      return save(ctx, root, k, `created keyring trusting ${fingerprint(pk)}`, now);
    }
    case "trust": {
      if (!a1)
        throw new UsageError(
          "plumb keys trust <public key file or line> --principal <name> [--role contract|keyring|approver|operator|support|admin …]",
        );
      if (!values.principal) throw new UsageError("--principal <name> is required");
      const root = ctx.repoRoot();
      const pk = readPub(a1, ctx.cwd);
      const window = {
        ...(values["valid-before"] ? { valid_before: values["valid-before"] as string } : {}),
      };
      return save(
        ctx,
        root,
        trustKey(loadKeyring(root), pk, values.principal as string, roleList(values), window),
        `trusted ${fingerprint(pk)} for ${roleList(values).join(", ")}`,
        now,
      );
    }
    case "revoke": {
      if (!a1)
        throw new UsageError("plumb keys revoke <public key file, line or SHA256 fingerprint>");
      const root = ctx.repoRoot();
      const k = loadKeyring(root);
      const entry = a1.startsWith("SHA256:") ? k.keys[a1] : undefined;
      const pk = entry ? parsePublicKey(entry.public_key) : readPub(a1, ctx.cwd);
      return save(ctx, root, revokeKey(k, pk), `revoked ${fingerprint(pk)}`, now);
    }
    case "threshold": {
      if (!a1 || !a2 || !ROLES.includes(a1 as Role))
        throw new UsageError("plumb keys threshold <keyring|contract|approver> <n>");
      const root = ctx.repoRoot();
      return save(
        ctx,
        root,
        setThreshold(loadKeyring(root), a1 as Role, Number(a2)),
        `threshold of ${a1} set to ${a2}`,
        now,
      );
    }
    case "expire-in": {
      const days = Number(a1);
      if (!Number.isInteger(days) || days < 1) throw new UsageError("plumb keys expire-in <days>");
      const root = ctx.repoRoot();
      return save(
        ctx,
        root,
        setExpiry(loadKeyring(root), isoZ(new Date(now.getTime() + days * 86_400_000))),
        `expiry set to ${days} days from now`,
        now,
      );
    }
    case "sign-keyring": {
      const root = ctx.repoRoot();
      const { bytes } = readKeyringFiles(root);
      const k = parseKeyring(bytes);
      // A rotation is signed by keyring keys of the new version and of the one it replaces.
      const previous = readKeyringHistory(root)
        .map((f) => parseKeyring(f.bytes))
        .find((h) => h.version === k.version - 1);
      const signer = await signerFrom(values, ctx.cwd, ctx.env);
      const fp = fingerprint(signer.publicKey);
      if (!k.roles.keyring.keys.includes(fp) && !previous?.roles.keyring.keys.includes(fp))
        throw new PlumbError(
          "PLB891",
          `${fp} is not a keyring key of v${k.version}${previous ? ` or v${previous.version}` : ""}`,
          { hint: "only keys with the keyring role can sign the keyring" },
        );
      const path = addKeyringSignature(
        root,
        fp,
        await signSshsig(bytes, namespaceFor("keyring", k.org), signer),
      );
      out.err(`${s.green("✔")} signed keyring v${k.version} as ${fp}\n  ${path}`);
      return ExitCode.ok;
    }
    case "verify":
    case "list": {
      const root = ctx.repoRoot();
      const files = readKeyringFiles(root);
      const k = parseKeyring(files.bytes);
      const chain = tryChain(ctx, root, now);
      if (chain instanceof PlumbError && action === "verify") throw chain;
      const valid = !(chain instanceof PlumbError);
      const status = valid ? "valid" : `NOT VALID: [${chain.code}] ${chain.message}`;
      const pin = valid ? `${chain.keyring.version}:${chain.sha256}` : undefined;
      if (ctx.globals.json) {
        out.writeJson({
          version: 1,
          ok: valid,
          status,
          keyring: k,
          signatures: files.signatures.map((x) => x.name),
          ...(valid ? { chain: { root: chain.root, links: chain.links, pin } } : {}),
        });
        return valid ? ExitCode.ok : ExitCode.error;
      }
      out.out(
        `keyring v${k.version} (org ${k.org}), expires ${k.expires}: ${valid ? s.green(status) : s.red(status)}`,
      );
      if (valid) {
        out.out(`  chain from v${chain.root.version} (${chain.root.from}):`);
        for (const l of chain.links)
          out.out(
            `    v${l.version}  ${l.kind === "root" ? "root    " : "rotation"}  sha256 ${l.sha256.slice(0, 16)}…  expires ${l.expires}  ${l.source}`,
          );
        out.out(`  pin (for CI: PLUMB_KEYRING_PIN): ${pin}`);
      }
      for (const role of ROLES) {
        const r = k.roles[role];
        if (r) out.out(`  role ${role}: ${r.threshold} of ${r.keys.length}`);
      }
      for (const [fp, e] of Object.entries(k.keys)) {
        const roles = ROLES.filter((r) => k.roles[r]?.keys.includes(fp));
        out.out(
          `  ${fp}  ${e.principal.padEnd(16)} ${roles.join(",")}${e.valid_before ? ` until ${e.valid_before}` : ""}`,
        );
      }
      for (const r of k.revoked) out.out(`  ${s.red("revoked")} ${fingerprint(parsePublicKey(r))}`);
      out.out(`  ${files.signatures.length} signature file(s) in keys/keyring.sig.d`);
      return valid ? ExitCode.ok : ExitCode.error;
    }
    case "export-target": {
      if (!values.out)
        throw new UsageError(
          "--out <dir> is required",
          "the directory to copy to targets, e.g. /etc/plumb/trust",
        );
      const root = ctx.repoRoot();
      const dir = resolve(ctx.cwd, values.out as string);
      // A target directory exported before pins the version it trusts: never export older.
      const pins: KeyringPin[] = [];
      const policyFile = join(dir, "policy");
      if (existsSync(policyFile)) {
        const p = readFileSync(policyFile, "utf8");
        const v = /^keyring_version=(\d+)$/m.exec(p)?.[1];
        const h = /^keyring_sha256=([0-9a-f]{64})$/m.exec(p)?.[1];
        if (v && h) pins.push(parsePin(`${v}:${h}`, `the target policy in ${dir}`));
      }
      const chain = loadVerifiedKeyring(root, ctx.env, { now, pins });
      const k = chain.keyring;
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(targetTrustFiles(k, chain.sha256)))
        writeAtomic(join(dir, name), text, name === "plumb-verify" ? 0o755 : 0o644);
      out.err(
        `${s.green("✔")} wrote allowed_signers, revoked_keys, policy and plumb-verify for keyring v${k.version} to ${dir}`,
      );
      return ExitCode.ok;
    }
    default:
      throw new UsageError(`unknown action '${action ?? ""}'`, "see `plumb keys --help`");
  }
};
