// The consent API delivery calls at apply: decisions per contract run, the signing keys' roles
// and threshold, and the audit of denials (consentForApply does all three in one call).
export * from "./apply.js";
export * from "./audit.js";
export * from "./consent.js";
export * from "./signers.js";
