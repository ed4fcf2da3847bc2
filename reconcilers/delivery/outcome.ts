// Reads what plumb-verify and the contract printed: the verifier's PLUMB-VERIFY line (ok, or
// refused with its code), the contract's PLUMB-RESULT line (status, phase, step), which proofs
// passed, and the log tail — with every secret value of the run replaced by `(sensitive)`.

import type { ProofResult } from "./journal.js";
import type { RunResult } from "./transport.js";

export const LOG_TAIL_LINES = 20;

export interface RunOutcome {
  /** The verifier accepted the bundle (the contract then ran). */
  readonly verified: boolean;
  /** The verifier's refusal code (PLB877, PLB879, …). */
  readonly refusal?: string;
  /** The contract's own result line, when it printed one. */
  readonly result?: { readonly status: string; readonly phase: string; readonly step: number };
  readonly success: boolean;
  readonly proofs: readonly ProofResult[];
  readonly logTail: readonly string[];
}

/** Replaces each secret value (and each of its lines) in `text`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  const parts = secrets
    .flatMap((s) => [s, ...s.split("\n")])
    .filter((s) => s.trim().length >= 1)
    .sort((a, b) => b.length - a.length);
  for (const s of parts) out = out.split(s).join("(sensitive)");
  return out;
}

export function parseOutcome(
  run: RunResult,
  proofSteps: readonly { readonly step: number; readonly proof: string }[],
  secrets: readonly string[],
): RunOutcome {
  const verifyLine = /^PLUMB-VERIFY (\{.*\})$/m.exec(run.stdout)?.[1];
  let verified = false;
  let refusal: string | undefined;
  if (verifyLine) {
    try {
      const v = JSON.parse(verifyLine) as { status?: string; code?: string };
      verified = v.status === "ok";
      if (v.status === "refused" && typeof v.code === "string" && /^PLB\d{3}$/.test(v.code))
        refusal = v.code;
    } catch {
      // not the verifier's line: neither verified nor a known refusal
    }
  }
  let result: RunOutcome["result"];
  const resultLine = verified ? /^PLUMB-RESULT (\{.*\})$/m.exec(run.stdout)?.[1] : undefined;
  if (resultLine) {
    try {
      const r = JSON.parse(resultLine) as { status?: unknown; phase?: unknown; step?: unknown };
      if (typeof r.status === "string" && typeof r.phase === "string" && typeof r.step === "number")
        result = { status: r.status, phase: r.phase, step: r.step };
    } catch {
      // a contract never prints a malformed line; treat it as no result
    }
  }
  const success = verified && run.code === 0 && result?.status === "success";
  const proofs = proofSteps.map(({ step, proof }) => ({
    step,
    proof: scrub(proof, secrets),
    ok: success
      ? true
      : result?.phase === "proofs"
        ? step < result.step
          ? true
          : step === result.step
            ? false
            : null
        : null,
  }));
  const all = `${run.stdout}${run.stderr ? `\n${run.stderr}` : ""}`;
  const logTail = scrub(all, secrets)
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(-LOG_TAIL_LINES);
  return {
    verified,
    ...(refusal ? { refusal } : {}),
    ...(result ? { result } : {}),
    success,
    proofs,
    logTail,
  };
}
