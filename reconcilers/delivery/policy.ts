// The contracts policy: `contracts:` in infra/policies.yml — what apply does after a contract
// run fails: `on_failure: stop` (default; the remaining runs are not started, runs under way
// finish) or `continue`. Parsed with positions so a mistake is reported at file:line:column.
import { isMap, isScalar, LineCounter, type Node, parseDocument } from "yaml";
import { PlumbError } from "../../core/errors.js";
import type { OnFailure } from "./deliver.js";

export interface ContractsPolicy {
  readonly onFailure: OnFailure;
}

export const DEFAULT_CONTRACTS_POLICY: ContractsPolicy = { onFailure: "stop" };

/** Reads `contracts:` from the text of policies.yml (other keys belong to other readers). */
export function parseContractsPolicy(text: string, file = "infra/policies.yml"): ContractsPolicy {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const fail = (node: Node | null | undefined, message: string): never => {
    const at = node?.range ? lc.linePos(node.range[0]) : { line: 1, col: 1 };
    throw new PlumbError("PLB787", `${file}:${at.line}:${at.col}: ${message}`, {
      hint: "contracts: {on_failure: stop}   (or continue)",
    });
  };
  if (doc.errors.length > 0) fail(null, doc.errors[0]?.message ?? "not YAML");
  const root = doc.contents;
  if (!isMap(root)) return DEFAULT_CONTRACTS_POLICY;
  const section = root.get("contracts", true) as Node | undefined;
  if (section === undefined || (isScalar(section) && section.value === null))
    return DEFAULT_CONTRACTS_POLICY;
  if (!isMap(section)) return fail(section, "contracts must be a mapping");
  let onFailure: OnFailure = "stop";
  for (const pair of section.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const value = pair.value as Node | null;
    if (key !== "on_failure") return fail(pair.key as Node, `unknown key contracts.${key}`);
    const v = isScalar(value) ? value.value : undefined;
    if (v !== "stop" && v !== "continue")
      return fail(value, "contracts.on_failure must be stop or continue");
    onFailure = v;
  }
  return { onFailure };
}
