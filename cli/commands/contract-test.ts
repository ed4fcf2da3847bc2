// `plumb contract test <bundle> --target <name>`: run a signed contract in an ephemeral Incus
// container through the target-side verifier, as a real target would (docs/contracts.md, "Sandbox run"),
// then delete it. Like a real target the container has a name (--target, checked against the
// manifest) and a replay state bootstrapped once; `--keep` then `--sandbox <name>` runs again in
// the same container, where the state persists (a second run of one contract is a replay).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ExitCode, PlumbError, UsageError } from "../../core/errors.js";
import { assertCatalogTrusted } from "../../core/io/lock-trust.js";
import { readBundle, writeAtomic } from "../../core/io/trust-store.js";
import { parseManifest } from "../../core/trust/manifest.js";
import { targetTrustFiles } from "../../core/trust/target-files.js";
import { verifyContract } from "../../core/trust/verify.js";
import { ContractSandbox } from "../../reconcilers/contract/sandbox.js";
import { ApiClient } from "../../reconcilers/drivers/incus/api-client.js";
import { connectIncus, defaultSocketPath } from "../../reconcilers/drivers/incus/connect.js";
import { UnixSocketTransport } from "../../reconcilers/drivers/incus/transport.js";
import { openTrust } from "../session.js";
import type { CommandContext, ParsedValues } from "../spec.js";

const TRUST = "/etc/plumb/trust";
const BUNDLE = "/var/lib/plumb/incoming";

export async function testCommand(
  ctx: CommandContext,
  values: ParsedValues,
  bundleArg: string,
): Promise<number> {
  const { root, dir, now, keyring } = openTrust(ctx, values, bundleArg);
  // A bundle runs only from a repository whose catalog is trusted (the lock signed by the threshold).
  assertCatalogTrusted(root, ctx.env, now);
  const target = values.target as string | undefined;
  if (!target)
    throw new UsageError(
      "--target <name> is required",
      "the name the sandbox answers to, as a real target; it must match the signed manifest",
    );
  const bundle = readBundle(dir);
  // --skip-local-verify exercises the target-side verifier alone (it must refuse on its own).
  const manifest =
    values["skip-local-verify"] === true
      ? parseManifest(bundle.manifest)
      : verifyContract(bundle, keyring, { now, target }).manifest;
  const reuse = values.sandbox as string | undefined;
  const out = ctx.output;
  const s = out.style;
  const image = (values.image as string | undefined) ?? "plumb-debian";
  const project = (values.project as string | undefined) ?? "default";
  const driver = connectIncus({ kind: "unix" }, {}, ctx.env);
  const api = new ApiClient(new UnixSocketTransport(defaultSocketPath(ctx.env)));
  let sandbox: ContractSandbox;
  try {
    sandbox = reuse
      ? await ContractSandbox.attach({ driver, api, project }, reuse)
      : await ContractSandbox.launch({ driver, api, project }, image);
  } catch (cause) {
    driver.close();
    api.transport.close();
    throw new PlumbError(
      "PLB889",
      reuse
        ? `cannot use sandbox '${reuse}': ${(cause as Error).message}`
        : `cannot launch a sandbox from image '${image}': ${(cause as Error).message}`,
      { cause, hint: "sudo scripts/incus-sandbox.sh up --with-debian" },
    );
  }
  const progress = (t: string) => out.err(s.dim(`  ${t}`));
  try {
    progress(
      `sandbox ${sandbox.name} (${reuse ? "reused" : `image ${image}`}) as target ${target}`,
    );
    const enc = new TextEncoder();
    if (!reuse) {
      // Bootstrapped once, as a real target: later runs in this container see the raised mark.
      const init = await sandbox.exec([
        "sh",
        "-c",
        'mkdir -p -m 0700 /var/lib/plumb && printf "%s 0\\n" "$1" > /var/lib/plumb/state',
        "bootstrap",
        String(keyring.version),
      ]);
      if (init.code !== 0) throw new PlumbError("PLB889", `bootstrap failed: ${init.stderr}`);
    }
    for (const [name, text] of Object.entries(targetTrustFiles(keyring))) {
      await sandbox.push({
        path: `${TRUST}/${name}`,
        bytes: enc.encode(text),
        mode: name === "plumb-verify" ? "0755" : "0644",
      });
    }
    await sandbox.exec(["rm", "-rf", "--", BUNDLE]);
    await sandbox.push({ path: `${BUNDLE}/contract.sh`, bytes: bundle.script, mode: "0644" });
    await sandbox.push({ path: `${BUNDLE}/hfc.json`, bytes: bundle.hfc, mode: "0644" });
    await sandbox.push({ path: `${BUNDLE}/manifest.json`, bytes: bundle.manifest, mode: "0644" });
    for (const sig of bundle.signatures)
      await sandbox.push({
        path: `${BUNDLE}/signatures/${sig.name}`,
        bytes: sig.bytes,
        mode: "0644",
      });
    progress("verifying with ssh-keygen inside the container, then running the contract");
    const run = await sandbox.exec([
      "bash",
      `${TRUST}/plumb-verify`,
      "--trust",
      TRUST,
      "--state",
      "/var/lib/plumb/state",
      "--target",
      target,
      BUNDLE,
    ]);
    const log = await sandbox.exec(["cat", `/var/log/plumb/${manifest.contract}.log`]);
    const verified = /PLUMB-VERIFY \{"status":"ok"/.test(run.stdout);
    const refusal = /PLUMB-VERIFY \{"status":"refused","code":"(\w+)"/.exec(run.stdout)?.[1];
    const result = /PLUMB-RESULT (\{.*\})/.exec(run.stdout)?.[1];
    const success =
      verified && run.code === 0 && result !== undefined && JSON.parse(result).status === "success";
    const logDir = join(root, ".plumb", "contract-tests");
    mkdirSync(logDir, { recursive: true });
    const logFile = join(logDir, `${manifest.contract}.log`);
    writeAtomic(
      logFile,
      `${run.stdout}${run.stderr ? `\n--- stderr ---\n${run.stderr}` : ""}\n--- ${`/var/log/plumb/${manifest.contract}.log`} ---\n${log.stdout}`,
    );
    if (ctx.globals.json) {
      out.writeJson({
        version: 1,
        ok: success,
        contract: manifest.contract,
        sandbox: sandbox.name,
        image,
        verified,
        ...(refusal ? { refused: refusal } : {}),
        exit: run.code,
        result: result ? JSON.parse(result) : null,
        log: logFile,
      });
    } else {
      out.out(run.stdout.trimEnd());
      if (run.stderr.trim()) out.err(run.stderr.trimEnd());
      out.err(
        success
          ? `${s.green("✔")} ${manifest.contract} verified and ran successfully in ${sandbox.name}`
          : s.red(
              `✖ ${manifest.contract} ${verified ? "ran and failed" : "was refused by the verifier"} (exit ${run.code})`,
            ),
      );
      out.err(`  log: ${logFile}`);
    }
    if (!success && ctx.globals.json) return ExitCode.error; // the JSON document above says why
    if (!success)
      throw new PlumbError("PLB888", `contract ${manifest.contract} failed in the sandbox`, {
        hint: `see ${logFile}`,
      });
    return ExitCode.ok;
  } finally {
    if (values.keep === true || reuse)
      progress(
        `kept ${sandbox.name} (--keep); delete it with: incus delete --force ${sandbox.name}`,
      );
    else await sandbox.destroy();
    driver.close();
    api.transport.close();
  }
}
