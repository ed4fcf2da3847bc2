// The approvals API other areas call: risks of a plan, the policy, required and counted approvals.
export * from "./approvals.js";
export * from "./host-access.js";
export * from "./policy.js";
export * from "./risk.js";
