// The "Contracts" section of a plan (human and markdown): per machine, each declared contract
// with run / up to date, why, its template, risk, consent and roles, and its inputs as the plan
// holds them (secret references and `x-sensitive` digests, never a value). Repository data goes
// through plan-escape.ts like the rest of the plan.
import type { Styler } from "../../core/output/output.js";
import type { ContractChange } from "../../reconcilers/plan/contract-change.js";
import type { PlanDocument } from "../../reconcilers/plan/plan-document.js";
import { fenceFor, mdCode, termSafe, termValue } from "./plan-escape.js";

const t = termSafe;

function targetText(c: ContractChange): string {
  return c.targetKind === "server"
    ? "server"
    : `instance ${c.project ?? "?"}/${c.instance ?? c.machine}`;
}

function inputsText(c: ContractChange): string {
  const parts = Object.entries(c.inputs).map(([k, v]) => `${t(k)}=${termValue(v)}`);
  return parts.length ? parts.join(" ") : "(none)";
}

function metaText(c: ContractChange): string {
  const roles = c.roles.length ? `, roles ${c.roles.join(", ")}` : "";
  return `risk ${c.risk}, consent ${c.consent}${roles}`;
}

/** One contract: `▶ name  slug@v  will run (new)` then its facts (plain: no colour). */
export function contractLines(c: ContractChange, s: Styler): string[] {
  const run = c.action === "run";
  const head = run
    ? `${s.green("  ▶")} ${s.bold(t(c.name))} ${t(c.template)} ${s.dim(`will run (${t(c.reason)})`)}`
    : `${s.dim("  =")} ${t(c.name)} ${t(c.template)} ${s.dim(t(c.reason))}`;
  if (!run) return [head];
  const risk = c.risk === "high" || c.consent === "ELEVATED_CONFIRM" ? s.red : s.dim;
  return [
    head,
    `      ${risk(t(metaText(c)))}`,
    `      ${s.dim(`inputs ${inputsText(c)}`)}`,
    `      ${s.dim(`hash ${t(c.hash.slice(0, 19))}… (target has ${c.liveHash ? `${t(c.liveHash.slice(0, 19))}…` : "none"})`)}`,
  ];
}

function byMachine(contracts: readonly ContractChange[]): Map<string, ContractChange[]> {
  const out = new Map<string, ContractChange[]>();
  for (const c of contracts) out.set(c.machine, [...(out.get(c.machine) ?? []), c]);
  return out;
}

export function contractsText(plan: PlanDocument): string | undefined {
  const all = plan.contracts ?? [];
  if (all.length === 0) return undefined;
  const runs = all.filter((c) => c.action === "run").length;
  return runs === 0
    ? `Contracts: ${all.length} up to date.`
    : `Contracts: ${runs} to run, ${all.length - runs} up to date.`;
}

/** The human section, or nothing when the estate declares no contract. */
export function contractSection(plan: PlanDocument, s: Styler): string[] {
  const all = plan.contracts ?? [];
  if (all.length === 0) return [];
  const lines = ["Contracts:"];
  for (const [machine, list] of byMachine(all)) {
    const first = list[0] as ContractChange;
    lines.push(`  ${s.bold(t(machine))} ${s.dim(t(`(${targetText(first)})`))}`);
    for (const c of list) lines.push(...contractLines(c, s).map((l) => `  ${l}`));
  }
  lines.push("");
  return lines;
}

/** The markdown section: a table of the runs, then the unchanged ones folded. */
export function contractMarkdown(plan: PlanDocument): string[] {
  const all = plan.contracts ?? [];
  if (all.length === 0) return [];
  const runs = all.filter((c) => c.action === "run");
  const out = [
    "",
    `#### Contracts (${runs.length} to run, ${all.length - runs.length} up to date)`,
  ];
  if (runs.length > 0) {
    out.push(
      "",
      "| machine | contract | template | why | risk | consent | roles |",
      "|---|---|---|---|---|---|---|",
    );
    for (const c of runs)
      out.push(
        `| ${mdCode(`${c.machine} (${targetText(c)})`)} | ${mdCode(c.name)} | ${mdCode(c.template)} | ${mdCode(c.reason)} | ${mdCode(c.risk)} | ${mdCode(c.consent)} | ${c.roles.length ? mdCode(c.roles.join(", ")) : ""} |`,
      );
    const inputs = runs.map((c) => `${c.machine}/${c.name}: ${inputsText(c)}`).join("\n");
    const fence = fenceFor(inputs);
    out.push(
      "",
      `<details><summary>Contract inputs (${runs.length})</summary>`,
      "",
      `${fence}text`,
      inputs,
      fence,
      "</details>",
    );
  }
  const same = all.filter((c) => c.action === "none");
  if (same.length > 0)
    out.push("", `Up to date: ${same.map((c) => mdCode(`${c.machine}/${c.name}`)).join(", ")}`);
  return out;
}
