// `plumb keys …`: keys and the repo keyring (keys/keyring.json, signed by its keyring role).
//   generate [--out file]          new Ed25519 key pair (OpenSSH format)
//   init --pub <file> [--org o]    keyring v1 trusting that key for every role
//   trust <pub> --principal p [--role r…]   revoke <pub|fingerprint>   threshold <role> <n>
//   expire-in <days>   sign-keyring (--key f | --agent)   list   verify   export-target --out dir
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { ExitCode, PlumbError, UsageError } from "../../core/errors.js";
import {
  addKeyringSignature,
  KEYRING_FILE,
  readKeyringFiles,
  writeAtomic,
  writeKeyring,
} from "../../core/io/trust-store.js";
import { generateKeyPairFiles } from "../../core/signing/key-files.js";
import { fingerprint, parsePublicKey, type SshPublicKey } from "../../core/signing/public-key.js";
import { signSshsig } from "../../core/signing/sshsig.js";
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
import { verifyKeyring } from "../../core/trust/verify.js";
import { signerFrom } from "../signer-options.js";
import type { CommandContext, CommandModule, ParsedValues } from "../spec.js";

function readPub(arg: string, cwd: string): SshPublicKey {
  const path = resolve(cwd, arg);
  return parsePublicKey(existsSync(path) ? readFileSync(path, "utf8").trim() : arg);
}

function loadKeyring(root: string): Keyring {
  return parseKeyring(readKeyringFiles(root).bytes);
}

function save(ctx: CommandContext, root: string, k: Keyring, what: string): number {
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
      `  it must be re-signed by ${k.roles.keyring.threshold} keyring key(s): plumb keys sign-keyring --key <file>`,
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
      return save(ctx, root, k, `created keyring trusting ${fingerprint(pk)}`);
    }
    case "trust": {
      if (!a1)
        throw new UsageError(
          "plumb keys trust <public key file or line> --principal <name> [--role contract|keyring …]",
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
      );
    }
    case "revoke": {
      if (!a1)
        throw new UsageError("plumb keys revoke <public key file, line or SHA256 fingerprint>");
      const root = ctx.repoRoot();
      const k = loadKeyring(root);
      const entry = a1.startsWith("SHA256:") ? k.keys[a1] : undefined;
      const pk = entry ? parsePublicKey(entry.public_key) : readPub(a1, ctx.cwd);
      return save(ctx, root, revokeKey(k, pk), `revoked ${fingerprint(pk)}`);
    }
    case "threshold": {
      if (!a1 || !a2 || !ROLES.includes(a1 as Role))
        throw new UsageError("plumb keys threshold <keyring|contract> <n>");
      const root = ctx.repoRoot();
      return save(
        ctx,
        root,
        setThreshold(loadKeyring(root), a1 as Role, Number(a2)),
        `threshold of ${a1} set to ${a2}`,
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
      );
    }
    case "sign-keyring": {
      const root = ctx.repoRoot();
      const { bytes } = readKeyringFiles(root);
      const k = parseKeyring(bytes);
      const signer = await signerFrom(values, ctx.cwd, ctx.env);
      const fp = fingerprint(signer.publicKey);
      if (!k.roles.keyring.keys.includes(fp))
        throw new PlumbError("PLB874", `${fp} is not a keyring key of v${k.version}`, {
          hint: "only keys with the keyring role can sign the keyring",
        });
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
      let status = "valid";
      let code: number = ExitCode.ok;
      try {
        verifyKeyring(files.bytes, files.signatures, now);
      } catch (e) {
        if (!(e instanceof PlumbError) || action === "verify") throw e;
        status = `NOT VALID: [${e.code}] ${e.message}`;
        code = ExitCode.error;
      }
      if (ctx.globals.json) {
        out.writeJson({
          version: 1,
          ok: code === 0,
          status,
          keyring: k,
          signatures: files.signatures.map((x) => x.name),
        });
        return code;
      }
      out.out(
        `keyring v${k.version} (org ${k.org}), expires ${k.expires}: ${code ? s.red(status) : s.green(status)}`,
      );
      for (const role of ROLES)
        out.out(`  role ${role}: ${k.roles[role].threshold} of ${k.roles[role].keys.length}`);
      for (const [fp, e] of Object.entries(k.keys)) {
        const roles = ROLES.filter((r) => k.roles[r].keys.includes(fp));
        out.out(
          `  ${fp}  ${e.principal.padEnd(16)} ${roles.join(",")}${e.valid_before ? ` until ${e.valid_before}` : ""}`,
        );
      }
      for (const r of k.revoked) out.out(`  ${s.red("revoked")} ${fingerprint(parsePublicKey(r))}`);
      out.out(`  ${files.signatures.length} signature file(s) in keys/keyring.sig.d`);
      return code;
    }
    case "export-target": {
      if (!values.out)
        throw new UsageError(
          "--out <dir> is required",
          "the directory to copy to targets, e.g. /etc/plumb/trust",
        );
      const root = ctx.repoRoot();
      const files = readKeyringFiles(root);
      const k = verifyKeyring(files.bytes, files.signatures, now);
      const dir = resolve(ctx.cwd, values.out as string);
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(targetTrustFiles(k)))
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
