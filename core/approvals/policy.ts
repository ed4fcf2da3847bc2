// The approvals policy: `approvals:` in infra/policies.yml — how many distinct approvers each
// kind of risk needs, at which trust levels host access is forbidden, and which GitHub logins'
// reviews may count. Parsed with positions so a mistake is reported at file:line:column.
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { PlumbError } from "../errors.js";
import { RISK_KINDS, type RiskKind } from "./risk.js";

export type Requirement = RiskKind | "any";

export interface ApprovalPolicy {
  /** Distinct approvers needed when a plan holds a risk of this kind ("any": every non-empty plan). */
  readonly required: Readonly<Partial<Record<Requirement, number>>>;
  /** Trust levels whose domains may not gain host access at all. */
  readonly forbidHostAccess: readonly string[];
  /** GitHub logins whose approving PR reviews count as approvers (read by the PR integration). */
  readonly githubReviewers: readonly string[];
}

/** No `approvals:` section: nothing is required (the repository opts in). */
export const EMPTY_POLICY: ApprovalPolicy = {
  required: {},
  forbidHostAccess: [],
  githubReviewers: [],
};

const YAML_KEY: Readonly<Record<string, Requirement>> = {
  any: "any",
  ...Object.fromEntries(RISK_KINDS.map((k) => [k.replace(/-/g, "_"), k])),
};

export const TRUST_LEVELS = ["admin", "trusted", "semi-trusted", "untrusted", "disposable"];

/** Reads `approvals:` from the text of policies.yml (other keys belong to other readers). */
export function parseApprovalPolicy(text: string, file = "infra/policies.yml"): ApprovalPolicy {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const fail = (node: Node | null | undefined, message: string): never => {
    const at = node?.range ? lc.linePos(node.range[0]) : { line: 1, col: 1 };
    throw new PlumbError("PLB922", `${file}:${at.line}:${at.col}: ${message}`, {
      hint: "approvals: {required: {delete: 1, host_access: 2}, forbid_host_access: [untrusted], github_reviewers: [alice]}",
    });
  };
  if (doc.errors.length > 0) fail(null, doc.errors[0]?.message ?? "not YAML");
  const root = doc.contents;
  if (root === null || root === undefined) return EMPTY_POLICY;
  if (!isMap(root)) return EMPTY_POLICY;
  const section = root.get("approvals", true) as Node | undefined;
  if (section === undefined || (isScalar(section) && section.value === null)) return EMPTY_POLICY;
  if (!isMap(section)) return fail(section, "approvals must be a mapping");
  const required: Partial<Record<Requirement, number>> = {};
  let forbidHostAccess: string[] = [];
  let githubReviewers: string[] = [];
  for (const pair of section.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const value = pair.value as Node | null;
    if (key === "required") {
      if (!isMap(value)) return fail(value, "approvals.required must be a mapping");
      for (const r of value.items) {
        const name = isScalar(r.key) ? String(r.key.value) : "";
        const kind = YAML_KEY[name];
        if (!kind)
          return fail(
            r.key as Node,
            `unknown risk '${name}' (one of ${Object.keys(YAML_KEY).join(", ")})`,
          );
        const n = isScalar(r.value) ? r.value.value : undefined;
        if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 100)
          return fail(r.value as Node, `approvals.required.${name} must be an integer 0–100`);
        required[kind] = n;
      }
    } else if (key === "forbid_host_access" || key === "github_reviewers") {
      if (!isSeq(value)) return fail(value, `approvals.${key} must be a list`);
      const list = value.items.map((i) => {
        const v = isScalar(i) ? i.value : undefined;
        if (typeof v !== "string") return fail(i as Node, `approvals.${key} holds strings only`);
        if (key === "forbid_host_access" && !TRUST_LEVELS.includes(v))
          return fail(i as Node, `unknown trust level '${v}' (${TRUST_LEVELS.join(", ")})`);
        if (key === "github_reviewers" && !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(v))
          return fail(i as Node, `'${v}' is not a GitHub login`);
        return v;
      });
      if (key === "forbid_host_access") forbidHostAccess = list;
      else githubReviewers = list;
    } else {
      return fail(pair.key as Node, `unknown key approvals.${key}`);
    }
  }
  return { required, forbidHostAccess, githubReviewers };
}

/**
 * The stricter of two policies (the base branch's and a pull request's): the larger number per
 * risk, host access forbidden where either forbids it, and only reviewers both list (a pull
 * request cannot add its own author's login and have that review count).
 */
export function stricterApprovalPolicy(a: ApprovalPolicy, b: ApprovalPolicy): ApprovalPolicy {
  const required: Partial<Record<Requirement, number>> = { ...a.required };
  for (const [k, n] of Object.entries(b.required) as [Requirement, number][])
    required[k] = Math.max(required[k] ?? 0, n);
  return {
    required,
    forbidHostAccess: [...new Set([...a.forbidHostAccess, ...b.forbidHostAccess])],
    githubReviewers: a.githubReviewers.filter((l) =>
      b.githubReviewers.some((m) => m.toLowerCase() === l.toLowerCase()),
    ),
  };
}
