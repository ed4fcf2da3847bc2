// What `plumb apply` needs for its contract phase, prepared before any change is made: the plan's
// contract runs, the signing keys (--sign-key or site.yml `signing.keys`) checked against the
// keyring's contract threshold, the checked templates and the contracts policy. Refusals happen
// here, before the Incus changes and before anything is delivered (docs/delivery.md).
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ApprovalStateLike } from "../core/consent/consent.js";
import { ExitCode, PlumbError } from "../core/errors.js";
import { gitDriver } from "../core/io/git.js";
import { loadVerifiedKeyring } from "../core/io/keyring-state.js";
import { assertCatalogTrusted } from "../core/io/lock-trust.js";
import type { Site } from "../core/io/site-config.js";
import type { Estate } from "../core/model/estate.js";
import { secretResolver } from "../core/redact/secrets.js";
import { readPrivateKeyFile } from "../core/signing/key-files.js";
import { keySigner } from "../core/signing/signer.js";
import { runContractPhase } from "../reconcilers/delivery/apply-phase.js";
import { assertSignersReachThreshold } from "../reconcilers/delivery/bundle.js";
import type { DeliveryResult } from "../reconcilers/delivery/deliver.js";
import { parseContractsPolicy } from "../reconcilers/delivery/policy.js";
import type { ApiClient } from "../reconcilers/drivers/incus/api-client.js";
import type { ContractChange } from "../reconcilers/plan/contract-change.js";
import type { PlanDocument } from "../reconcilers/plan/plan-document.js";
import { enforceContractConsent } from "./apply-consent.js";
import { intOption } from "./session.js";
import type { CommandContext, ParsedValues } from "./spec.js";
import { checkRepoTemplates } from "./templates-kit.js";

/** The plan's contract changes (absent in plans saved before issue 12). */
export function planContracts(plan: PlanDocument): readonly ContractChange[] {
  return plan.contracts ?? [];
}

export interface PreparedContracts {
  readonly runs: readonly ContractChange[];
  deliver(run: string, api: ApiClient): Promise<DeliveryResult[]>;
}

/** Undefined when the plan runs no contract. Throws (PLB781, PLB787, …) before anything changes. */
export async function prepareContracts(
  ctx: CommandContext,
  values: ParsedValues,
  root: string,
  site: Site,
  plan: PlanDocument,
  estate: Estate,
  approvals?: ApprovalStateLike,
): Promise<PreparedContracts | undefined> {
  const parallelism = intOption(values, "contract-parallelism", 8, 1);
  const timeoutS = intOption(values, "contract-timeout", 300, 1);
  const runs = planContracts(plan).filter((c) => c.action === "run");
  if (runs.length === 0) return undefined;
  const chain = loadVerifiedKeyring(root, ctx.env, { now: new Date() });
  const keyFiles = [
    ...((values["sign-key"] as string[] | undefined) ?? []).map((k) => resolve(ctx.cwd, k)),
    ...((values["sign-key"] as string[] | undefined)?.length ? [] : site.signingKeys),
  ];
  const signers = keyFiles.map((f) => keySigner(readPrivateKeyFile(f)));
  assertSignersReachThreshold(chain.keyring, signers);
  const policyFile = join(root, "infra", "policies.yml");
  const policy = existsSync(policyFile)
    ? parseContractsPolicy(readFileSync(policyFile, "utf8"))
    : { onFailure: "stop" as const };
  // Fail closed: the catalog loads only from a lock signed by the contract threshold.
  assertCatalogTrusted(root, ctx.env, new Date());
  // Consent (roles, confirmations, high-risk approvals): a denial refuses here, audited and journaled.
  enforceContractConsent(ctx, values, {
    root,
    digest: plan.digest,
    runs,
    keyring: chain.keyring,
    signers,
    approvals,
  });
  const checked = await checkRepoTemplates(root);
  const gitCommit = await gitDriver(root)
    .headCommit()
    .catch(() => null);
  return {
    runs,
    deliver: (run, api) =>
      runContractPhase({
        root,
        changes: runs,
        estate,
        templates: checked.templates,
        api,
        keyring: chain.keyring,
        keyringSha256: chain.sha256,
        signers,
        gitCommit,
        run,
        parallelism,
        timeoutMs: timeoutS * 1000,
        onFailure: policy.onFailure,
        // .plumb/secrets.yml (mode 0600 only), then PLUMB_SECRET_<NAME> (core/redact/secrets.ts).
        resolveSecret: secretResolver(root, ctx.env),
        env: ctx.env,
        onEvent: (e) => {
          if (ctx.output.json) return;
          const s = ctx.output.style;
          const who = `${e.change.machine}/${e.change.name}`;
          if (e.type === "start")
            ctx.output.err(s.dim(`  contract ${who} (${e.change.template}) …`));
          else {
            const r = e.result;
            ctx.output.err(
              r.status === "SUCCESS"
                ? `  ${s.green("✔")} contract ${who} ${s.dim(`(${(r.ms / 1000).toFixed(1)} s)`)}`
                : `  ${s.red("✖")} contract ${who} ${s.red(`FAILED [${r.code}]`)} ${r.message ?? ""}`,
            );
          }
        },
      }),
  };
}

/** After the apply summary: the contract outcome; throws PLB782 (exit 1) when any run failed. */
export function finishContracts(ctx: CommandContext, results: readonly DeliveryResult[]): number {
  const failed = results.filter((r) => r.status === "FAILED");
  const s = ctx.output.style;
  if (!ctx.output.json && results.length > 0)
    ctx.output.err(
      s.bold(`Contracts: ${results.length - failed.length} succeeded, ${failed.length} failed.`) +
        s.dim(" (plumb contracts status)"),
    );
  if (failed.length > 0)
    throw new PlumbError(
      "PLB782",
      `${failed.length} contract run(s) failed: ${failed.map((f) => `${f.machine}/${f.contract} [${f.code}]`).join(", ")}`,
      { hint: "see `plumb contracts status`; fix the cause and run `plumb apply` again" },
    );
  return ExitCode.ok;
}
