// A contract change in the plan: one machine's declared contract compared with what the target last
// ran successfully (docs/delivery.md). Computed by reconcilers/plan/contracts.ts, sealed in the plan
// digest, run by reconcilers/delivery at apply.

export type ContractRisk = "low" | "medium" | "high";
export type ContractConsent = "NONE" | "NOTICE" | "CONFIRM" | "ELEVATED_CONFIRM";

export interface ContractChange {
  readonly machine: string;
  readonly domain: string;
  readonly targetKind: "instance" | "server";
  /** Incus project of an instance target. */
  readonly project?: string;
  /** Incus instance name of an instance target. */
  readonly instance?: string;
  /** Contract name, unique per machine (defaults to the template slug). */
  readonly name: string;
  /** `slug@version`. */
  readonly template: string;
  /** Desired contract hash (`sha256:…`): template and action hashes, machine, name, inputs, revision. */
  readonly hash: string;
  /** What the target last ran successfully; null: never, or not known. */
  readonly liveHash: string | null;
  readonly action: "run" | "none";
  /** "new", "changed", "unknown state (unreachable)", "up to date", … */
  readonly reason: string;
  readonly risk: ContractRisk;
  /** The highest consent level of its actions. */
  readonly consent: ContractConsent;
  /** Roles its actions require. */
  readonly roles: readonly string[];
  /** For display: sensitive and secret values redacted. */
  readonly inputs: Readonly<Record<string, unknown>>;
}
