// The delivery engine (docs/delivery.md): the plan's contract runs, per machine in order and
// machines in parallel (bounded), each forged and signed in memory, sent over the machine's
// transport to a fresh run directory, verified and run by plumb-verify, its outcome recorded in
// the run journal (PENDING → CLAIMED → SUCCESS | FAILED) and the audit trail, and on success its
// hash recorded as the target's live state. Everything it touches comes in through DeliveryDeps.
import type { Code } from "../../core/codes.js";
import { PlumbError } from "../../core/errors.js";
import type { Signer } from "../../core/signing/signer.js";
import type { Keyring } from "../../core/trust/keyring.js";
import { isoZ } from "../../core/trust/time.js";
import type { TemplateSource } from "../../generators/contract/hfc.js";
import type { ContractChange } from "../plan/contract-change.js";
import { mapLimitOrThrow } from "../pool.js";
import { type SignedBundle, signedBundle } from "./bundle.js";
import { appendJournal, type JournalRecord } from "./journal.js";
import { parseOutcome, scrub } from "./outcome.js";
import { type StageResult, stageAndVerify, TIMEOUT_EXIT } from "./stage.js";
import type { TargetTransport } from "./transport.js";

export { RUN_DIR, STATE_FILE, TIMEOUT_EXIT, TRUST_DIR } from "./stage.js";

export type OnFailure = "stop" | "continue";
export type BootstrapState = "installed" | "updated" | "current";

export interface DeliveryOptions {
  /** The apply run id (journal and audit). */
  readonly run: string;
  /** Machines served at once. */
  readonly parallelism: number;
  /** Per contract run on the target (verifier + contract), milliseconds. */
  readonly timeoutMs: number;
  readonly onFailure: OnFailure;
}

export interface ResolvedInputs {
  /** The real inputs (secret references resolved). */
  readonly values: Record<string, unknown>;
  /** Every secret value among them: scrubbed from logs, never journaled. */
  readonly secrets: readonly string[];
}

export interface DeliveryDeps {
  /** Repository root: the journal lives under .plumb/journal/. */
  readonly root: string;
  readonly keyring: Keyring;
  readonly signers: readonly Signer[];
  readonly gitCommit: string | null;
  /** The checked template of a change (throws a PlumbError when it cannot be used). */
  template(change: ContractChange): TemplateSource;
  inputs(change: ContractChange): ResolvedInputs;
  transport(change: ContractChange): Promise<TargetTransport>;
  /** Installs or updates trust files, verifier and state directories (reconcilers/delivery/bootstrap.ts). */
  bootstrap(t: TargetTransport): Promise<BootstrapState>;
  /**
   * A trust gate (bootstrap.ts trustGate) for the same files `bootstrap` installs: checked in the
   * verifier's own call, so a current target costs no separate probe; bootstrap runs only when
   * the gate reports the target stale.
   */
  readonly trustGate?: string;
  /** Records the contract's hash as the target's live state after SUCCESS. */
  recordLive(change: ContractChange, t: TargetTransport): Promise<void>;
  /** Called with every journal record (the audit trail); must not throw. */
  audit?(record: JournalRecord): void;
  onEvent?(e: DeliveryEvent): void;
  now?(): Date;
}

export type DeliveryStatus = "SUCCESS" | "FAILED";

export interface DeliveryResult {
  readonly machine: string;
  readonly contract: string;
  readonly hash: string;
  readonly status: DeliveryStatus;
  readonly code?: string;
  readonly message?: string;
  readonly exit?: number;
  readonly id?: string;
  readonly ms: number;
}

export type DeliveryEvent =
  | { readonly type: "start"; readonly change: ContractChange }
  | { readonly type: "end"; readonly change: ContractChange; readonly result: DeliveryResult };

class RunFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extra: Partial<JournalRecord> = {},
  ) {
    super(message);
  }
}

function failure(code: Code, e: unknown, secrets: readonly string[]): RunFailure {
  if (e instanceof RunFailure) return e;
  const text = e instanceof PlumbError ? `[${e.code}] ${e.message}` : (e as Error).message;
  return new RunFailure(code, scrub(String(text), secrets));
}

/** Runs every change with action "run"; never throws for a target's failure (see the results). */
export async function deliverContracts(
  changes: readonly ContractChange[],
  deps: DeliveryDeps,
  options: DeliveryOptions,
): Promise<DeliveryResult[]> {
  const now = deps.now ?? (() => new Date());
  const runs = changes.filter((c) => c.action === "run");
  const byMachine = new Map<string, ContractChange[]>();
  for (const c of runs) byMachine.set(c.machine, [...(byMachine.get(c.machine) ?? []), c]);
  let stopped = false;
  // Sequence numbers only rise: one machine's runs go in order, each above the last.
  let lastSeq = 0;
  const nextSeq = () => {
    lastSeq = Math.max(lastSeq + 1, now().getTime());
    return lastSeq;
  };
  const journal = (rec: Omit<JournalRecord, "ts" | "run">) => {
    const full: JournalRecord = { ts: isoZ(now()), run: options.run, ...rec };
    appendJournal(deps.root, full);
    deps.audit?.(full);
  };

  const bootstrapOrFail = async (t: TargetTransport, secrets: readonly string[]) => {
    try {
      return (await deps.bootstrap(t)) === "installed";
    } catch (e) {
      throw failure("PLB785", e, secrets);
    }
  };

  const runOne = async (
    change: ContractChange,
    t: TargetTransport,
    first: { value: boolean },
  ): Promise<DeliveryResult> => {
    const started = Date.now();
    const base = { machine: change.machine, contract: change.name, hash: change.hash };
    const ms = () => Date.now() - started;
    if (stopped) {
      const message =
        "not started: an earlier contract run failed (policies.yml contracts.on_failure: stop)";
      journal({
        ...base,
        template: change.template,
        status: "FAILED",
        code: "PLB783",
        message,
        ms: 0,
      });
      return { ...base, status: "FAILED", code: "PLB783", message, ms: 0 };
    }
    deps.onEvent?.({ type: "start", change });
    journal({ ...base, template: change.template, status: "PENDING" });
    let secrets: readonly string[] = [];
    let bundle: SignedBundle | undefined;
    try {
      let inputs: ResolvedInputs;
      try {
        inputs = deps.inputs(change);
        secrets = inputs.secrets;
        bundle = await signedBundle({
          template: deps.template(change),
          machine: change.machine,
          inputs: inputs.values,
          gitCommit: deps.gitCommit,
          keyring: deps.keyring,
          signers: deps.signers,
          seq: nextSeq(),
          now: now(),
        });
      } catch (e) {
        throw failure("PLB786", e, secrets);
      }
      // First contact in this delivery: with a trust gate, the check rides on the verifier's
      // call and bootstrap runs only when the target is not current; without one, bootstrap
      // (a probe, and writes when needed) comes first.
      let init = false;
      let gate: string | undefined;
      if (first.value) {
        first.value = false;
        if (deps.trustGate) gate = deps.trustGate;
        else init = await bootstrapOrFail(t, secrets);
      }
      let staged: StageResult;
      try {
        staged = await stageAndVerify(t, bundle, {
          init,
          timeoutMs: options.timeoutMs,
          ...(gate ? { gate } : {}),
        });
        if (staged.stale) {
          init = await bootstrapOrFail(t, secrets);
          staged = await stageAndVerify(t, bundle, { init, timeoutMs: options.timeoutMs });
        }
      } catch (e) {
        throw failure("PLB777", e, secrets);
      }
      if (staged.stale) throw new RunFailure("PLB785", "the target is still stale after bootstrap");
      const run = staged.run;
      const o = parseOutcome(run, bundle.proofs, secrets);
      const ran = { id: bundle.id, seq: bundle.seq, exit: run.code };
      if (!o.verified) {
        const code = o.refusal ?? (run.code === TIMEOUT_EXIT ? "PLB780" : "PLB777");
        throw new RunFailure(
          code,
          o.refusal
            ? `refused by the target's verifier [${o.refusal}]`
            : run.code === TIMEOUT_EXIT
              ? `timed out after ${options.timeoutMs / 1000} s before the verifier answered`
              : `the verifier did not run (exit ${run.code})`,
          { ...ran, log_tail: o.logTail },
        );
      }
      journal({ ...base, status: "CLAIMED", id: bundle.id, seq: bundle.seq });
      if (!o.success) {
        const timedOut = run.code === TIMEOUT_EXIT && o.result === undefined;
        throw new RunFailure(
          timedOut ? "PLB780" : "PLB779",
          timedOut
            ? `timed out after ${options.timeoutMs / 1000} s`
            : `failed in ${o.result?.phase ?? "an unknown phase"} step ${o.result?.step ?? "?"} (exit ${run.code})`,
          { ...ran, proofs: o.proofs, log_tail: o.logTail },
        );
      }
      try {
        await deps.recordLive(change, t);
      } catch (e) {
        const f = failure("PLB777", e, secrets);
        throw new RunFailure(
          f.code,
          `ran successfully, but the live hash was not recorded: ${f.message}`,
          {
            ...ran,
            proofs: o.proofs,
          },
        );
      }
      journal({
        ...base,
        status: "SUCCESS",
        ...ran,
        proofs: o.proofs,
        log_tail: o.logTail,
        ms: ms(),
      });
      return { ...base, status: "SUCCESS", id: bundle.id, exit: run.code, ms: ms() };
    } catch (e) {
      const f = e instanceof RunFailure ? e : failure("PLB777", e, secrets);
      journal({
        ...base,
        status: "FAILED",
        code: f.code,
        message: f.message,
        ...(bundle ? { id: bundle.id, seq: bundle.seq } : {}),
        ...f.extra,
        ms: ms(),
      });
      if (options.onFailure === "stop") stopped = true;
      return {
        ...base,
        status: "FAILED",
        code: f.code,
        message: f.message,
        ...(f.extra.exit === undefined ? {} : { exit: f.extra.exit }),
        ...(bundle ? { id: bundle.id } : {}),
        ms: ms(),
      };
    }
  };

  const perMachine = await mapLimitOrThrow(
    [...byMachine.values()],
    options.parallelism,
    async (list) => {
      const results: DeliveryResult[] = [];
      const first = { value: true };
      let t: TargetTransport | undefined;
      try {
        for (const change of list) {
          if (!t && !stopped) {
            try {
              t = await deps.transport(change);
            } catch (e) {
              // Unreachable target: every run of it fails with the transport's reason.
              // A transport's own refusal keeps its code (host key mismatch PLB790, …).
              const f = failure(e instanceof PlumbError ? e.code : "PLB777", e, []);
              for (const c of list.slice(results.length)) {
                const base = { machine: c.machine, contract: c.name, hash: c.hash };
                journal({ ...base, template: c.template, status: "PENDING" });
                journal({ ...base, status: "FAILED", code: f.code, message: f.message, ms: 0 });
                results.push({
                  ...base,
                  status: "FAILED",
                  code: f.code,
                  message: f.message,
                  ms: 0,
                });
              }
              if (options.onFailure === "stop") stopped = true;
              break;
            }
          }
          const r = await runOne(change, t as TargetTransport, first);
          results.push(r);
          deps.onEvent?.({ type: "end", change, result: r });
        }
      } finally {
        await t?.close().catch(() => undefined);
      }
      return results;
    },
  );
  return perMachine.flat();
}
