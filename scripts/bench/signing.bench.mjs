// Benchmark (issue 5): sign and verify 1,000 contract manifests in one process vs spawning
// `ssh-keygen -Y sign` / `-Y verify` once per contract. Target: in-process ≥ 50× faster.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPairFiles } from "../../dist/core/signing/key-files.js";
import { formatPublicKey } from "../../dist/core/signing/public-key.js";
import { keySigner } from "../../dist/core/signing/signer.js";
import { signSshsig, verifySshsig } from "../../dist/core/signing/sshsig.js";
import { cleanup, tempDir } from "./harness.mjs";

const NS = "plumb-contract-manifest-v1@bench";

export async function bench({ count = 1000 } = {}) {
  const dir = tempDir("signing");
  try {
    const keyPath = join(dir, "key");
    const { key } = generateKeyPairFiles(keyPath, "bench");
    writeFileSync(
      join(dir, "allowed_signers"),
      `bench namespaces="${NS}" ${formatPublicKey(key.publicKey, "").trim()}\n`,
    );
    const enc = new TextEncoder();
    const messages = Array.from({ length: count }, (_, i) =>
      enc.encode(
        `{"contract":"c-${String(i).padStart(24, "0")}","seq":${i + 1},"subject":{"sha256":"${"ab".repeat(32)}"}}`,
      ),
    );
    const signer = keySigner(key);

    let t = process.hrtime.bigint();
    const sigs = [];
    for (const m of messages) sigs.push(await signSshsig(m, NS, signer));
    const signIn = Number(process.hrtime.bigint() - t) / 1e9;
    t = process.hrtime.bigint();
    for (let i = 0; i < count; i++) verifySshsig(sigs[i], messages[i], NS, key.publicKey);
    const verifyIn = Number(process.hrtime.bigint() - t) / 1e9;

    t = process.hrtime.bigint();
    const toolSigs = [];
    for (const m of messages) {
      const r = spawnSync("ssh-keygen", ["-q", "-Y", "sign", "-f", keyPath, "-n", NS], {
        input: m,
      });
      if (r.status !== 0) throw new Error(`ssh-keygen -Y sign: ${r.stderr}`);
      toolSigs.push(r.stdout);
    }
    const signTool = Number(process.hrtime.bigint() - t) / 1e9;
    const sigFile = join(dir, "sig");
    t = process.hrtime.bigint();
    for (let i = 0; i < count; i++) {
      writeFileSync(sigFile, toolSigs[i]);
      const r = spawnSync(
        "ssh-keygen",
        [
          "-Y",
          "verify",
          "-f",
          join(dir, "allowed_signers"),
          "-I",
          "bench",
          "-n",
          NS,
          "-s",
          sigFile,
        ],
        { input: messages[i] },
      );
      if (r.status !== 0) throw new Error(`ssh-keygen -Y verify: ${r.stdout}${r.stderr}`);
    }
    const verifyTool = Number(process.hrtime.bigint() - t) / 1e9;

    const inProcess = signIn + verifyIn;
    const tool = signTool + verifyTool;
    console.log(`${count} contracts   sign        verify      total`);
    console.log(
      `in process    ${signIn.toFixed(3)} s     ${verifyIn.toFixed(3)} s     ${inProcess.toFixed(3)} s   (Ed25519 in-process; signatures cached nowhere)`,
    );
    console.log(
      `ssh-keygen    ${signTool.toFixed(3)} s     ${verifyTool.toFixed(3)} s     ${tool.toFixed(3)} s   (one process per operation)`,
    );
    console.log(
      `ratio         ${(signTool / signIn).toFixed(1)}×      ${(verifyTool / verifyIn).toFixed(1)}×      ${(tool / inProcess).toFixed(1)}× (target ≥ 50×)`,
    );
    return { count, signIn, verifyIn, signTool, verifyTool, ratio: tool / inProcess };
  } finally {
    cleanup(dir);
  }
}
